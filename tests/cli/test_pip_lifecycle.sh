#!/usr/bin/env bash
# The pip lifecycle with real pip, offline: two wheels of a Qlib-shaped
# distribution (pyqlib 0.9.6 and 0.9.7, built here from fixtures/qlib-demo),
# installed into a fresh venv with `pip install --no-index`, and mps-patch
# driven through `--python venv/bin/python` (it finds the package through the
# interpreter) and through --target. Upgrade, downgrade, uninstall, a file
# target inside the package, an editable install from a git repository, and
# `apply --persist` (the startup hook that applies the patch again after pip).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

# The venvs are made with Debian's /usr/bin/python3 (not the python3 first on
# PATH, which may be a version manager's build without ensurepip): its
# python3-venv brings pip and setuptools as bundled wheels, so `-m venv` works
# with no network at all.
SYSPY=/usr/bin/python3
"$SYSPY" -c 'import ensurepip, venv' 2>/dev/null ||
  fail "$SYSPY with venv and ensurepip is needed (Debian: apt-get install python3-venv)"

# pip: offline, quiet, and deaf to the caller's configuration.
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_REQUIRE_VIRTUALENV PIP_USER PYTHONPATH
# The hook must not be switched off by the caller's environment.
unset MPS_PATCH_NO_HOOK MPS_PATCH_FROM_HOOK

# ---- the two releases -------------------------------------------------------
# 0.9.7 against 0.9.6: pytorch_gru_demo.py changed upstream so that no rule
# has anything left to rewrite in it; pytorch_lstm_demo.py has new content
# (still rewritable); pytorch_tcts_demo.py was dropped; __init__ says 0.9.7.
GRU=contrib/model/pytorch_gru_demo.py
LSTM=contrib/model/pytorch_lstm_demo.py
TCTS=contrib/model/pytorch_tcts_demo.py
SRC6="$WORK/src-0.9.6"
SRC7="$WORK/src-0.9.7"
copy_demo "$SRC6/qlib"
copy_demo "$SRC7/qlib"
sed -i 's/^__version__ = "0.9.6"$/__version__ = "0.9.7"/' "$SRC7/qlib/__init__.py"
cat >"$SRC7/qlib/$GRU" <<'EOF'
"""GRU model. Since 0.9.7 the device is chosen by the trainer, not here."""
from ...model.base import Model


class GRU(Model):
    def __init__(self, d_feat=6, hidden_size=64, **kwargs):
        self.d_feat = d_feat
        self.hidden_size = hidden_size
        self.kwargs = kwargs
EOF
{ echo "# pyqlib 0.9.7: early stopping counts epochs from 1."; cat "$DEMO/$LSTM"; } >"$SRC7/qlib/$LSTM"
rm "$SRC7/qlib/$TCTS"

WHEELS="$WORK/wheels"
W6="$("$SYSPY" "$REPO/tests/cli/mkwheel.py" "$SRC6" qlib pyqlib 0.9.6 "$WHEELS")"
W7="$("$SYSPY" "$REPO/tests/cli/mkwheel.py" "$SRC7" qlib pyqlib 0.9.7 "$WHEELS")"
# The trees as the wheels hold them, for byte comparisons.
E6="$WORK/unpacked-0.9.6"
E7="$WORK/unpacked-0.9.7"
"$SYSPY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$W6" "$E6"
"$SYSPY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$W7" "$E7"
rm -rf "$E6"/*.dist-info "$E7"/*.dist-info

# ---- the venv ---------------------------------------------------------------
V="$WORK/venv"
"$SYSPY" -m venv "$V" || fail "cannot make a venv with $SYSPY"
VPY="$V/bin/python"
SITE="$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
Q="$SITE/qlib"

pip_do() {  # VENV ARGS...: run that venv's pip; stops the test when it fails
  local v="$1"
  shift
  LAST_CMD="pip $*"
  "$v/bin/pip" "$@" -q >"$WORK/.pip.out" 2>&1 || { cat "$WORK/.pip.out" >&2; fail "pip $* failed"; }
}
install() { pip_do "$V" install --no-index --no-deps "$@"; }
uninstall() { pip_do "$V" uninstall -y pyqlib; }

# The package as the wheel holds it (compiled files aside).
assert_pkg() {  # UNPACKED WHAT
  local d
  d="$(diff -r -x __pycache__ "$Q" "$1/qlib" 2>&1)" || fail "$2"$'\n'"$(head -n 20 <<<"$d")"
}

# mps-patch's files anywhere under DIR: backups, manifest, journal, temporaries.
ours_under() { find "$1" \( -name '*.backup_before_mps' -o -name '.mps-patch-*' -o -name '*.mps-patch-tmp' \) -print; }
assert_nothing_ours() {  # DIR WHAT
  local found
  found="$(ours_under "$1")"
  [[ -z "$found" ]] || fail "$2: $found"
}

record_of() { echo "$SITE"/pyqlib-"$1".dist-info/RECORD; }
# The installed version, as `pip show` would say, from the dist-info's name.
pip_version() { (cd "$SITE" && ls -d pyqlib-*.dist-info 2>/dev/null | sed 's/^pyqlib-//; s/\.dist-info$//'); }

# What an older mps-patch (or a manual copy of backups) leaves: state pip does
# not know about. Drops our rows from RECORD so that pip leaves our files.
forget_in_record() {  # VERSION
  "$SYSPY" - "$(record_of "$1")" <<'PY'
import sys
p = sys.argv[1]
rows = open(p, encoding="utf-8").read().splitlines(True)
keep = [r for r in rows if ".backup_before_mps," not in r and ".mps-patch-manifest.json," not in r]
assert len(keep) < len(rows), "RECORD lists no file of mps-patch's"
open(p, "w", encoding="utf-8").writelines(keep)
PY
}

no_force_advice() {  # WHAT
  assert_no_grep '--force' "$OUT_FILE" "$1 (stdout)"
  assert_no_grep '--force' "$ERR_FILE" "$1 (stderr)"
}

# A file's state names in the last --json output.
state_of() {  # PATH
  json_get "$OUT_FILE" "[(f.get('state'), f.get('backup_state'), f.get('status')) for t in d['targets'] for f in t['files'] if f['path'] == '$1']"
}

# ---- 1. apply -> pip install -U -> verify -> revert --------------------------
note "apply, upgrade, verify, revert"
install "$W6"
assert_pkg "$E6" "pip did not install the 0.9.6 wheel as built"
expect_rc 0 apply --python "$VPY" --json
json_assert "$OUT_FILE" "len(d['targets']) == 1 and d['targets'][0]['root'] == '$Q'" "apply must find the package through --python"
json_assert "$OUT_FILE" "d['targets'][0]['package']['installed']['name'] == 'pyqlib' and d['targets'][0]['package']['installed']['version'] == '0.9.6'" \
  "apply must name the installed distribution"
json_assert "$OUT_FILE" "d['targets'][0]['package']['installed']['editable'] is False and d['targets'][0]['package']['installed']['dist_info'].endswith('pyqlib-0.9.6.dist-info')" \
  "installed: not editable, its dist-info"
json_assert "$OUT_FILE" "d['files_written'] >= 10" "apply must rewrite the model files"
assert_exists "$Q/.mps-patch-manifest.json"
assert_grep '"version": *"0.9.6"' "$Q/.mps-patch-manifest.json" "the manifest must record the version it patched"
assert_grep '"name": *"pyqlib"' "$Q/.mps-patch-manifest.json" "the manifest must record the distribution"
# Our files are listed in RECORD, so that pip removes them.
assert_grep "^qlib/$GRU.backup_before_mps,," "$(record_of 0.9.6)" "RECORD must list the backups"
assert_grep '^qlib/.mps-patch-manifest.json,,' "$(record_of 0.9.6)" "RECORD must list the manifest"
n_backups="$(ours_under "$Q" | grep -c 'backup_before_mps$')"
[[ "$(grep -c 'backup_before_mps,,' "$(record_of 0.9.6)")" == "$n_backups" ]] || fail "RECORD must list every backup ($n_backups)"
expect_rc 0 verify --no-probe --python "$VPY" --json
json_assert "$OUT_FILE" "d['patched'] is True" "verify right after apply"
json_assert "$OUT_FILE" "d['targets'][0]['package']['version'] == 'same' and d['targets'][0]['package']['recorded']['version'] == '0.9.6'" \
  "verify: recorded = installed"
[[ "$(state_of "$GRU")" == '[["patched", "current", "patched"]]' ]] || fail "verify: $GRU must be patched with a current backup: $(state_of "$GRU")"

install -U "$W7"
assert_pkg "$E7" "pip install -U did not install 0.9.7 as built"
assert_nothing_ours "$Q" "pip install -U must remove mps-patch's backups and manifest with 0.9.6"
run_mps verify --no-probe --python "$VPY"
[[ "$RC" == 1 ]] || fail "verify after an upgrade: the new version is not patched (exit 1 expected, got $RC)"
no_force_advice "verify after an upgrade must not suggest --force"
expect_rc 0 revert --python "$VPY" --json
no_force_advice "revert after an upgrade must not suggest --force"
json_assert "$OUT_FILE" "d['refused'] is False and d['restored'] == 0" "revert after an upgrade restores nothing"
json_assert "$OUT_FILE" "d['targets'][0]['package']['installed']['version'] == '0.9.7'" "revert reports 0.9.7 installed"
assert_pkg "$E7" "revert after an upgrade must leave 0.9.7 as pip installed it"
assert_nothing_ours "$Q" "no backups after revert"
[[ "$(pip_version)" == 0.9.7 ]] || fail "pip show must say 0.9.7"

# ---- 2. the same with state pip does not know about (an older mps-patch) ------
note "upgrade over backups pip does not know about; a file loses its site; a file is dropped"
uninstall
assert_missing "$Q" "uninstalling a clean 0.9.7 left the package directory"
install "$W6"
expect_rc 0 apply --python "$VPY" --quiet
forget_in_record 0.9.6
install -U "$W7"
assert_exists "$Q/$LSTM.backup_before_mps" "the stale backups were expected to survive the upgrade here"
# revert straight away: every backup is 0.9.6's; none is restored, none is
# left, and a dropped file's backup goes too.
expect_rc 0 revert --python "$VPY" --json
no_force_advice "revert after an upgrade over stale backups"
json_assert "$OUT_FILE" "d['refused'] is False and d['restored'] == 0 and d['cleaned'] == $n_backups" \
  "revert after an upgrade over stale backups: all $n_backups cleaned, none restored"
st="$(state_of "$TCTS")"
[[ "$st" == '[["missing", "stale", "cleaned"]]' ]] || fail "revert: $TCTS went with 0.9.6: $st"
assert_pkg "$E7" "revert after an upgrade over stale backups must leave 0.9.7 as pip installed it"
assert_nothing_ours "$Q" "revert after an upgrade over stale backups"

install "$W6"  # a clean downgrade: nothing of mps-patch's was left
expect_rc 0 apply --python "$VPY" --quiet
forget_in_record 0.9.6
install -U "$W7"
expect_rc 1 verify --no-probe --python "$VPY" --json
json_assert "$OUT_FILE" "d['targets'][0]['package']['version'] == 'different'" "verify: the version changed since apply"
json_assert "$OUT_FILE" "d['targets'][0]['package']['recorded']['version'] == '0.9.6' and d['targets'][0]['package']['installed']['version'] == '0.9.7'" \
  "verify: recorded 0.9.6, installed 0.9.7"
st="$(state_of "$LSTM")"
[[ "$st" == '[["pristine", "stale", "not-patched"]]' ]] || fail "verify: $LSTM after the upgrade: $st"
st="$(state_of "$GRU")"
[[ "$st" == '[["pristine", "stale", "stale-backup"]]' ]] || fail "verify: $GRU after the upgrade: $st"
run_mps verify --no-probe --python "$VPY"
no_force_advice "verify after an upgrade over stale backups must not suggest --force"

# apply after the upgrade: every backup refreshed, the file without a site
# loses its stale backup.
expect_rc 0 apply --python "$VPY" --json
st="$(state_of "$GRU")"
[[ "$st" == '[["pristine", "stale", "cleaned"]]' ]] || fail "apply: $GRU has no site left; its stale backup must be cleaned: $st"
assert_missing "$Q/$GRU.backup_before_mps" "the stale backup of $GRU"
json_assert "$OUT_FILE" "[f.get('backup') for t in d['targets'] for f in t['files'] if f['path'] == '$LSTM'] == ['refreshed']" \
  "apply: the backup of $LSTM must be refreshed"
assert_missing "$Q/$TCTS.backup_before_mps" "the backup of a file 0.9.7 dropped"
assert_same "$Q/$LSTM.backup_before_mps" "$E7/qlib/$LSTM" "the refreshed backup must hold 0.9.7's file"
while IFS= read -r b; do
  rel="${b#"$Q"/}"
  assert_same "$b" "$E7/qlib/${rel%.backup_before_mps}" "backup after apply on 0.9.7"
done < <(find "$Q" -name '*.backup_before_mps')
json_assert "$OUT_FILE" "d['targets'][0]['package']['installed']['version'] == '0.9.7'" "apply: installed 0.9.7"
assert_grep '"version": *"0.9.7"' "$Q/.mps-patch-manifest.json" "the manifest must now record 0.9.7"
expect_rc 0 verify --no-probe --python "$VPY"
expect_rc 0 revert --python "$VPY"
assert_pkg "$E7" "apply, upgrade, apply, revert must give 0.9.7's bytes"
assert_nothing_ours "$Q" "no backups after revert"

# Revert straight after a reinstall over unknown state: no --force.
expect_rc 0 apply --python "$VPY" --quiet
forget_in_record 0.9.7
install --force-reinstall "$W7"  # a reinstall leaves every file pristine
expect_rc 0 revert --python "$VPY" --json
no_force_advice "revert after a reinstall"
json_assert "$OUT_FILE" "d['restored'] == 0 and d['cleaned'] > 0" "revert after a reinstall only cleans"
assert_pkg "$E7" "revert after a reinstall must leave the reinstalled files"
assert_nothing_ours "$Q" "revert after a reinstall must remove every stale backup"

# ---- 3. downgrade -----------------------------------------------------------
note "downgrade"
expect_rc 0 apply --python "$VPY" --quiet
forget_in_record 0.9.7
install "$W6"  # a wheel of a lower version replaces 0.9.7
[[ "$(pip_version)" == 0.9.6 ]] || fail "the downgrade did not happen"
# Even --force writes no byte of 0.9.7 (the backups' version) over 0.9.6.
run_mps revert --force --python "$VPY" --json
[[ "$RC" == 0 ]] || fail "revert after a downgrade must succeed (exit $RC)"
no_force_advice "revert after a downgrade"
json_assert "$OUT_FILE" "d['restored'] == 0" "revert --force after a downgrade must restore nothing"
assert_pkg "$E6" "revert --force after a downgrade must leave 0.9.6 as pip installed it"
assert_nothing_ours "$Q" "revert after a downgrade"
# And with RECORD listing our files: pip starts clean, apply and revert work.
expect_rc 0 apply --python "$VPY" --quiet
install -U "$W7"
install "$W6"
assert_nothing_ours "$Q" "a downgrade must remove the backups listed in RECORD"
expect_rc 0 apply --python "$VPY" --json
json_assert "$OUT_FILE" "d['targets'][0]['package']['version'] in ('unknown', 'same') and d['targets'][0]['package']['installed']['version'] == '0.9.6'" \
  "apply after a downgrade"
expect_rc 0 revert --python "$VPY"
assert_pkg "$E6" "apply, downgrade, apply, revert must give 0.9.6's bytes"

# ---- 4. uninstall -----------------------------------------------------------
note "uninstall"
expect_rc 0 apply --python "$VPY" --quiet
uninstall
assert_nothing_ours "$SITE" "pip uninstall must remove mps-patch's files"
assert_missing "$Q" "pip uninstall must remove the package directory"
! "$VPY" -c 'import qlib' 2>/dev/null || fail "import qlib must fail after pip uninstall"

# Leftovers an older mps-patch left: verify fails, revert cleans all.
install "$W6"
expect_rc 0 apply --python "$VPY" --quiet
forget_in_record 0.9.6
uninstall
assert_exists "$Q/.mps-patch-manifest.json" "the leftovers were expected to survive the uninstall here"
run_mps verify --no-probe --target "$Q" --json
[[ "$RC" != 0 ]] || fail "verify must fail on an uninstalled package's leftovers"
json_assert "$OUT_FILE" "d['leftovers'] > 0 and d['targets'][0]['package']['version'] == 'not-installed' and d['targets'][0]['package']['installed'] is None" \
  "verify: the package is not installed; leftovers"
expect_rc 0 revert --target "$Q"
no_force_advice "revert of leftovers"
assert_missing "$Q" "revert must remove what an uninstalled package left"
! "$VPY" -c 'import qlib' 2>/dev/null || fail "import qlib must fail once the leftovers are gone"

# ---- 5. a file target, then the package -------------------------------------
note "file target, then directory revert"
install "$W6"
expect_rc 0 apply --target "$Q/$GRU" --python "$VPY" --json
json_assert "$OUT_FILE" "d['targets'][0]['root'] == '$Q'" "a file target belongs to its package root"
[[ "$(find "$Q" -name .mps-patch-manifest.json | wc -l)" == 1 ]] || fail "one manifest per package: $(find "$Q" -name .mps-patch-manifest.json)"
assert_exists "$Q/.mps-patch-manifest.json"
assert_exists "$Q/$GRU.backup_before_mps"
expect_rc 0 apply --target "$Q/contrib/model" --quiet
[[ "$(find "$Q" -name .mps-patch-manifest.json | wc -l)" == 1 ]] || fail "still one manifest"
expect_rc 0 revert --target "$Q"
assert_pkg "$E6" "file target then directory revert"
assert_nothing_ours "$Q" "file target then directory revert"

# ---- 6. --persist: the patch comes back after pip install -U -----------------
note "apply --persist"
expect_rc 0 apply --persist --python "$VPY" --json
json_assert "$OUT_FILE" "d['targets'][0]['package']['hook'] is True" "apply --persist: hook"
assert_exists "$SITE/mps_patch_hook.pth"
assert_exists "$SITE/_mps_patch_hook.py"
expect_rc 0 verify --no-probe --python "$VPY" --json
json_assert "$OUT_FILE" "d['targets'][0]['package']['hook'] is True" "verify must report the hook"
"$VPY" -c pass 2>"$WORK/start.err" || fail "python must start with the hook"
[[ ! -s "$WORK/start.err" ]] || fail "nothing changed: the hook must be silent: $(cat "$WORK/start.err")"
install -U "$W7"
assert_nothing_ours "$Q" "pip install -U removes the backups (listed in RECORD)"
"$VPY" -c 'import qlib' 2>"$WORK/start.err" || fail "import qlib after the upgrade: $(cat "$WORK/start.err")"
[[ "$(wc -l <"$WORK/start.err")" == 1 ]] || fail "the hook must print one line: $(cat "$WORK/start.err")"
assert_grep '^mps-patch: pyqlib 0.9.7 was installed; the MPS patch was applied again' "$WORK/start.err" "the hook's line"
"$VPY" -c pass 2>"$WORK/start.err"
[[ ! -s "$WORK/start.err" ]] || fail "the hook must act once: $(cat "$WORK/start.err")"
expect_rc 0 verify --no-probe --python "$VPY" --json
json_assert "$OUT_FILE" "d['patched'] is True and d['targets'][0]['package']['installed']['version'] == '0.9.7' and d['targets'][0]['package']['version'] == 'same'" \
  "the hook must have patched 0.9.7"
json_assert "$OUT_FILE" "d['targets'][0]['package']['hook'] is True" "the hook stays"
n=0
while IFS= read -r b; do
  rel="${b#"$Q"/}"
  assert_same "$b" "$E7/qlib/${rel%.backup_before_mps}" "the hook's backups must hold 0.9.7's originals"
  n=$((n + 1))
done < <(find "$Q" -name '*.backup_before_mps')
[[ "$n" -ge 10 ]] || fail "the hook must have patched the model files ($n backups)"
assert_missing "$Q/$GRU.backup_before_mps" "0.9.7's $GRU has nothing to rewrite"
expect_rc 0 revert --python "$VPY" --json
json_assert "$OUT_FILE" "d['targets'][0]['package']['hook'] is False" "revert: hook"
assert_missing "$SITE/mps_patch_hook.pth" "revert must remove the hook"
assert_missing "$SITE/_mps_patch_hook.py" "revert must remove the hook's module"
[[ -z "$(find "$SITE" -name '_mps_patch_hook*')" ]] || fail "revert must remove the hook's compiled module"
assert_pkg "$E7" "revert after the hook's apply"
assert_nothing_ours "$Q" "revert after the hook's apply"
# The hook across an uninstall and a fresh install of another version.
expect_rc 0 apply --persist --python "$VPY" --quiet
uninstall
"$VPY" -c pass 2>"$WORK/start.err" || fail "python must start once the package is gone"
[[ ! -s "$WORK/start.err" ]] || fail "the hook must be silent while the package is not installed: $(cat "$WORK/start.err")"
install "$W6"
"$VPY" -c 'import qlib' 2>"$WORK/start.err" || fail "import qlib after a reinstall"
assert_grep '^mps-patch: pyqlib 0.9.6 was installed; the MPS patch was applied again' "$WORK/start.err" "the hook after uninstall and install"
expect_rc 0 revert --python "$VPY" --quiet
assert_missing "$SITE/mps_patch_hook.pth" "revert must remove the hook"
assert_pkg "$E6" "revert after uninstall, install and the hook"
# The hook whose mps-patch binary is gone: a one-line hint, and python starts.
cp "$MPS" "$WORK/mps-patch-gone"
LAST_CMD="mps-patch-gone apply --persist"
"$WORK/mps-patch-gone" apply --persist --python "$VPY" --quiet || fail "apply --persist with a copy of the binary"
rm "$WORK/mps-patch-gone"
install -U "$W7"
"$VPY" -c pass 2>"$WORK/start.err" || fail "python must start when the hook's binary is gone"
[[ "$(wc -l <"$WORK/start.err")" == 1 ]] || fail "one line of hint: $(cat "$WORK/start.err")"
assert_grep 'mps-patch-gone is missing' "$WORK/start.err" "the hint must name the missing binary"
expect_rc 0 revert --python "$VPY" --quiet
assert_missing "$SITE/mps_patch_hook.pth" "revert must remove the hook"
assert_pkg "$E7" "revert after the hint"

# ---- 7. an editable install from a git repository ---------------------------
note "editable install"
R="$WORK/repo"
mkdir -p "$R"
cp -R "$SRC6/qlib" "$R/qlib"
cat >"$R/pyproject.toml" <<'EOF'
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "pyqlib"
version = "0.9.6"

[tool.setuptools]
packages = ["qlib", "qlib.contrib", "qlib.contrib.data", "qlib.contrib.model", "qlib.model"]
EOF
printf '__pycache__/\n*.egg-info/\nbuild/\n' >"$R/.gitignore"
git -C "$R" init -q
git -C "$R" add -A
git -C "$R" -c user.name=test -c user.email=test@example.invalid commit -qm "pyqlib 0.9.6"
# setuptools builds editable wheels (PEP 660) with the `wheel` package, which
# a venv does not bundle: this venv sees Debian's python3-wheel and
# python3-setuptools through --system-site-packages. Without them, a git
# checkout named by --target stands in for the editable install.
# Debian's python3-pip is seen the same way, so the venv is made without its
# own copy (ensurepip is the slowest step of making a venv).
VE="$WORK/venv-editable"
"$SYSPY" -m venv --system-site-packages --without-pip "$VE"
EPY="$VE/bin/python"
if "$EPY" -c 'import setuptools, wheel, pip' 2>/dev/null &&
  "$EPY" -m pip install -q --no-index --no-deps --no-build-isolation -e "$R" >"$WORK/.pip.out" 2>&1; then
  EDITABLE=1
  [[ "$("$EPY" -c 'import qlib, os; print(os.path.dirname(qlib.__file__))')" == "$R/qlib" ]] ||
    fail "the editable install does not import qlib from $R"
  ETARGET=(--python "$EPY")
else
  EDITABLE=0
  note "no editable install could be built offline ($(tail -n 1 "$WORK/.pip.out")); the git checkout is the target"
  ETARGET=(--target "$R/qlib")
fi
git -C "$R" status --porcelain --ignored=no >"$WORK/git.before"
expect_rc 0 apply "${ETARGET[@]}" --json
json_assert "$OUT_FILE" "d['targets'][0]['package']['git_work_tree'] == '$R'" "apply: the git work tree"
if [[ "$EDITABLE" == 1 ]]; then
  json_assert "$OUT_FILE" "d['targets'][0]['package']['installed']['editable'] is True" "apply: an editable install"
fi
git -C "$R" status --porcelain >"$WORK/git.after"
assert_no_grep '^\?\?' "$WORK/git.after" "git must not show mps-patch's files as untracked"
assert_grep '^ M qlib/contrib/model/pytorch_gru_demo.py$' "$WORK/git.after" "git must show the rewrite"
[[ -n "$(ours_under "$R/qlib")" ]] || fail "apply wrote no backups in the checkout"
# verify names the checkout (--target: with --python, verify would also
# import the torch this venv sees, which takes seconds).
expect_rc 0 verify --no-probe --target "$R/qlib"
assert_grep "git work tree $R" "$OUT_FILE" "verify must say that the target is a git work tree"
assert_grep 'git diff' "$OUT_FILE" "verify must point at git diff"
expect_rc 0 revert "${ETARGET[@]}"
git -C "$R" status --porcelain >"$WORK/git.after"
assert_same "$WORK/git.before" "$WORK/git.after" "after revert the checkout must be as committed"
assert_nothing_ours "$R/qlib" "revert in the checkout"
if [[ "$EDITABLE" == 1 ]]; then
  assert_nothing_ours "$VE" "nothing of ours in the editable venv"
fi

note "ok"
