#!/usr/bin/env bash
# Hostile state and odd files, through the real binary. Whatever is in the
# tree, mps-patch never writes outside the target, never follows a link out of
# the package root, never blocks on a FIFO, keeps owners and modes, names what
# it refuses, and leaves nothing half-written when the disk fails under it.
#
# A sibling directory of the package (holding the files the hostile state
# points at) is checksummed before and after every case.
#
# The store's primitives have their own unit tests (tests/unit/test_store_*);
# the rollback of EIO write failures is in test_rollback.sh, refusals of a
# changed file in test_revert_refusal.sh. This test is about the CLI as a
# whole: every command on each hostile tree.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"
export PATH="$(dirname "$PY"):$PATH"
unset MPS_PATCH_CRASH_AFTER MPS_PATCH_FAULT MPS_PATCH_TRACE_STEPS

T="$WORK/pkg/qlib"
S="$WORK/sibling"
G=contrib/model/pytorch_gru_demo.py
mkdir -p "$S"
printf 'victim: must never change\n' >"$S/victim.py"
printf 'import torch\ntorch.cuda.empty_cache()\n' >"$S/victim.py.backup_before_mps"
printf 'root only\n' >"$S/secret"
chmod 600 "$S/secret"
cp "$DEMO/$G" "$S/outside_model.py"

sibling_sum() { tree_sum "$S"; find "$S" -printf '%M %n %u %g %s %p -> %l\n' | LC_ALL=C sort; }
sibling_sum >"$WORK/.sibling_sum"
check_sibling() {
  sibling_sum >"$WORK/.sibling_now"
  if ! cmp -s "$WORK/.sibling_sum" "$WORK/.sibling_now"; then
    diff "$WORK/.sibling_sum" "$WORK/.sibling_now" | sed 's/^/  /' | head -n 20 >&2 || true
    fail "$1: something outside the target changed"
  fi
  # Nothing new beside the package and the sibling either (the test's own
  # files in WORK are hidden).
  [[ "$(ls "$WORK" | LC_ALL=C sort | paste -sd' ')" == "pkg sibling" && "$(ls -A "$WORK/pkg")" == qlib ]] ||
    fail "$1: new entries beside the package: $(ls -A "$WORK" "$WORK/pkg")"
}

fresh() {
  rm -rf "$WORK/pkg"
  copy_demo "$T"
}

# no_leftovers WHAT: no temporary file, journal or lock file in the package.
no_leftovers() {
  local found
  found="$(find "$WORK/pkg" \( -name '*.mps-patch-tmp' -o -name '.mps-patch-journal.json' -o -name '*.lock' \) -print)"
  [[ -z "$found" ]] || fail "$1: left over: $found"
}

# --- 1. Manifest entries that leave the root: `..` and absolute paths ---------
for bad in "../../sibling/victim.py" "$S/victim.py"; do
  fresh
  expect_rc 0 apply --target "$T" --quiet
  "$PY" - "$T/.mps-patch-manifest.json" "$bad" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
e = dict(m["files"][0])
e["path"] = sys.argv[2]
m["files"].append(e)
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY
  tree_sum "$T" >"$WORK/.sum_hostile"
  for cmd in "revert" "revert --force" "verify --no-probe" "apply"; do
    # shellcheck disable=SC2086
    run_mps $cmd --target "$T"
    assert_rc 2 "$cmd with a manifest entry $bad"
    assert_grep "damaged manifest: files\[[0-9]+\]\.path: \"$bad\" is refused" "$ERR_FILE" \
      "$cmd must name the manifest entry $bad it refuses"
    assert_no_grep '^(  )?restored' "$OUT_FILE" "$cmd restored something from a hostile manifest"
    assert_tree_unchanged "$T" "$WORK/.sum_hostile" "$cmd with a hostile manifest changed the package"
    check_sibling "$cmd with a manifest entry $bad"
  done
done
note "manifest paths with .. and absolute paths: refused, nothing written"

# --- 2. A backup that is a symlink out of the root ---------------------------
fresh
ln -s "$S/secret" "$T/$G.backup_before_mps"
tree_sum "$T" >"$WORK/.sum_link"
run_mps apply --target "$T"
assert_rc 2 "apply with a symlinked backup"
assert_grep "$G\.backup_before_mps: refused: it is a symbolic link" "$ERR_FILE" "apply must name the symlinked backup"
assert_tree_unchanged "$T" "$WORK/.sum_link" "apply with a symlinked backup wrote something"
rm "$T/$G.backup_before_mps"
expect_rc 0 apply --target "$T" --quiet
rm "$T/$G.backup_before_mps"
ln -s "$S/secret" "$T/$G.backup_before_mps"
tree_sum "$T" >"$WORK/.sum_link"
for cmd in "revert" "revert --force" "verify --no-probe"; do
  # shellcheck disable=SC2086
  run_mps $cmd --target "$T"
  assert_rc 2 "$cmd with a symlinked backup"
  assert_grep "$G\.backup_before_mps: refused: it is a symbolic link" "$ERR_FILE" "$cmd must name the symlinked backup"
  assert_tree_unchanged "$T" "$WORK/.sum_link" "$cmd with a symlinked backup changed the package"
  ! grep -rq 'root only' "$T" || fail "$cmd copied the link's target into the package"
  check_sibling "$cmd with a symlinked backup"
done
[[ -L "$T/$G.backup_before_mps" ]] || fail "the symlinked backup was replaced or removed"
note "symlinked backup: named and refused, never read"

# --- 3. A FIFO as a backup or a manifest: never waited on --------------------
fresh
mkfifo "$T/$G.backup_before_mps"
for cmd in "apply" "apply --dry-run" "verify --no-probe" "revert" "revert --force" "scan"; do
  LAST_CMD="timeout 60 mps-patch $cmd"
  set +e
  # shellcheck disable=SC2086
  timeout 60 "$MPS" $cmd --target "$T" >"$OUT_FILE" 2>"$ERR_FILE"
  RC=$?
  set -e
  [[ "$RC" != 124 ]] || fail "$cmd blocked on a FIFO backup"
  if [[ "$cmd" != scan ]]; then
    assert_rc 2 "$cmd with a FIFO backup"
    assert_grep "$G\.backup_before_mps: refused: it is a FIFO" "$ERR_FILE" "$cmd must name the FIFO"
  fi
  [[ -p "$T/$G.backup_before_mps" ]] || fail "$cmd replaced or removed the FIFO"
  no_leftovers "$cmd with a FIFO backup"
done
rm "$T/$G.backup_before_mps"
mkfifo "$T/.mps-patch-manifest.json"
for cmd in "apply" "verify --no-probe" "revert"; do
  set +e
  # shellcheck disable=SC2086
  timeout 60 "$MPS" $cmd --target "$T" >"$OUT_FILE" 2>"$ERR_FILE"
  RC=$?
  set -e
  [[ "$RC" != 124 ]] || fail "$cmd blocked on a FIFO manifest"
  assert_rc 2 "$cmd with a FIFO manifest"
  assert_grep 'mps-patch-manifest\.json: refused: it is a FIFO' "$ERR_FILE" "$cmd must name the FIFO manifest"
done
check_sibling "FIFO state"
note "FIFO backup and manifest: named and refused at once"

# --- 4. Symlinked sources ------------------------------------------------------
# Inside the root: the file it points to is patched under its own path (once),
# the link stays a link; the same through --target naming the link.
fresh
ln -s pytorch_gru_demo.py "$T/contrib/model/link_to_gru.py"
expect_rc 0 apply --target "$T" --json
json_assert "$OUT_FILE" "[f['status'] for t in d['targets'] for f in t['files'] if f['path'] == '$G'] == ['patched']" \
  "the link's target must be patched under its own path"
json_assert "$OUT_FILE" "not [f for t in d['targets'] for f in t['files'] if 'link_to_gru' in str(f['path'])]" \
  "the link itself must not be patched"
[[ -L "$T/contrib/model/link_to_gru.py" && "$(readlink "$T/contrib/model/link_to_gru.py")" == pytorch_gru_demo.py ]] ||
  fail "the symlinked source was replaced"
assert_missing "$T/contrib/model/link_to_gru.py.backup_before_mps" "a backup was made for the link"
expect_rc 0 revert --target "$T"
assert_same "$T/$G" "$DEMO/$G" "revert did not restore the link's target"
[[ -L "$T/contrib/model/link_to_gru.py" ]] || fail "revert replaced the link"

LINK="$T/contrib/model/link_to_gru.py"
expect_rc 0 apply --target "$LINK"
assert_differs "$T/$G" "$DEMO/$G" "apply --target LINK did not patch the file the link points to"
[[ -L "$LINK" ]] || fail "apply --target LINK replaced the link"
expect_rc 0 verify --no-probe --target "$LINK"
assert_grep "patched +$G" "$OUT_FILE" "verify --target LINK must check the file the link points to"
expect_rc 0 revert --target "$LINK"
assert_grep "restored +$G" "$OUT_FILE" "revert --target LINK must restore the file the link points to"
assert_same "$T/$G" "$DEMO/$G" "revert --target LINK did not restore the file the link points to"
assert_no_backups "$T" "revert --target LINK left backups"
[[ -L "$LINK" ]] || fail "revert --target LINK replaced the link"

# Out of the root: refused with a message, and the outside file untouched.
fresh
ln -s "$S/outside_model.py" "$T/contrib/model/outside_link.py"
expect_rc 0 apply --target "$T" --quiet
assert_grep "contrib/model/outside_link\.py: a symbolic link to $S/outside_model\.py, outside the package" "$ERR_FILE" \
  "apply must name the link out of the package"
[[ -L "$T/contrib/model/outside_link.py" ]] || fail "the link out of the package was replaced"
run_mps apply --target "$T/contrib/model/outside_link.py"
assert_grep "outside_link\.py: a symbolic link to $S/outside_model\.py, outside the package" "$ERR_FILE" \
  "apply --target LINK-OUT must refuse it by name"
expect_rc 0 revert --target "$T"
assert_no_backups "$T"
check_sibling "a source linked out of the package"
note "symlinked sources: inside patched through under the target's path, outside refused"

# --- 5. A hard-linked source: refused, both names keep their bytes ------------
fresh
ln "$T/$G" "$S/hard_gru.py"
sibling_sum >"$WORK/.sibling_sum"
tree_sum "$T" >"$WORK/.sum_hard"
run_mps apply --target "$T"
assert_rc 2 "apply with a hard-linked source"
assert_grep "refused +$G: cannot be patched safely: it has 2 hard links" "$ERR_FILE" "apply must name the hard-linked file and say why"
assert_tree_unchanged "$T" "$WORK/.sum_hard" "a refused hard link: nothing may be written"
[[ "$(stat -c %h "$T/$G")" == 2 ]] || fail "the hard link was split"
run_mps apply --target "$T" --keep-going --quiet
assert_rc 2 "apply --keep-going with a hard-linked source"
assert_same "$T/$G" "$DEMO/$G" "--keep-going patched the hard-linked file"
[[ "$(stat -c %h "$T/$G")" == 2 ]] || fail "--keep-going split the hard link"
expect_rc 0 revert --target "$T"
check_sibling "a hard-linked source"
rm "$S/hard_gru.py"
sibling_sum >"$WORK/.sibling_sum"
note "hard-linked source: refused, the link kept"

# --- 6. A file owned by another user: owner, group and mode kept --------------
if [[ "$(id -u)" == 0 ]] && id nobody >/dev/null 2>&1; then
  fresh
  grp="$(id -gn nobody)"
  chown "nobody:$grp" "$T/$G"
  chmod 640 "$T/$G"
  expect_rc 0 apply --target "$T" --quiet
  assert_differs "$T/$G" "$DEMO/$G" "the file owned by nobody was not patched"
  [[ "$(stat -c '%U:%G %a' "$T/$G")" == "nobody:$grp 640" ]] ||
    fail "the patched file lost its owner or mode: $(stat -c '%U:%G %a' "$T/$G")"
  [[ "$(stat -c '%U:%G %a' "$T/$G.backup_before_mps")" == "nobody:$grp 640" ]] ||
    fail "the backup does not keep the owner and mode: $(stat -c '%U:%G %a' "$T/$G.backup_before_mps")"
  # Restoring gives owner and mode back even when the file was changed meanwhile.
  chown root:root "$T/$G"
  chmod 644 "$T/$G"
  expect_rc 0 revert --target "$T"
  assert_same "$T/$G" "$DEMO/$G" "revert of the file owned by nobody"
  [[ "$(stat -c '%U:%G %a' "$T/$G")" == "nobody:$grp 640" ]] ||
    fail "revert did not give back the owner and mode: $(stat -c '%U:%G %a' "$T/$G")"
  note "another user's file: owner, group and mode kept on rewrite and restore"
else
  note "not root (or no user nobody): owner case left to tests/unit/test_store_confined.cpp"
fi

# --- 7. Non-UTF-8 file names ----------------------------------------------------
fresh
ODD="$T/contrib/model/gru_$(printf '\xff').py"
cp "$DEMO/$G" "$ODD"
BAD="$T/bad_$(printf '\xfe').py"
printf 'import torch\ndef f(:\n    torch.cuda.empty_cache()\n' >"$BAD"
run_mps apply --target "$T" --json
assert_rc 2 "apply with an unparsable non-UTF-8 file"
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" "[f['status'] for t in d['targets'] for f in t['files'] if f['path'] == 'bad_\udcfe.py'] == ['refused']" \
  "--json must report the unparsable non-UTF-8 name (as \\udcfe) refused"
run_mps apply --target "$T"
assert_rc 2 "apply with an unparsable non-UTF-8 file"
assert_grep 'bad_\\xfe\.py"?:2: cannot be patched safely' "$ERR_FILE" "the error must name the non-UTF-8 file"
rm "$BAD"
run_mps apply --target "$T" --json
assert_rc 0 "apply with a non-UTF-8 file name"
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" "[f['status'] for t in d['targets'] for f in t['files'] if f['path'] == 'contrib/model/gru_\udcff.py'] == ['patched']" \
  "--json must list the non-UTF-8 name (as \\udcff) patched"
assert_differs "$ODD" "$DEMO/$G" "the file with a non-UTF-8 name was not patched"
json_ok "$T/.mps-patch-manifest.json" "the manifest is not valid JSON"
json_assert "$T/.mps-patch-manifest.json" "{'hex': b'contrib/model/gru_\xff.py'.hex()} in [f['path'] for f in d['files']]" \
  "the manifest must hold the non-UTF-8 path as hex"
expect_rc 0 verify --no-probe --target "$T"
assert_grep 'gru_\\xff\.py' "$OUT_FILE" "verify must name the non-UTF-8 file, escaped"
expect_rc 0 revert --target "$T"
assert_same "$ODD" "$DEMO/$G" "revert of the file with a non-UTF-8 name"
assert_no_backups "$T"
check_sibling "non-UTF-8 names"
note "non-UTF-8 names: patched, escaped in JSON and messages, restored"

# --- 8. The disk failing: directory fsync, ENOSPC -------------------------------
# The number of steps of the apply, from its trace, to place faults in it.
fresh
tree_sum "$T" >"$WORK/.sum_orig"
run_env "MPS_PATCH_TRACE_STEPS=1" apply --target "$T" --quiet
assert_rc 0 "traced apply"
n_dirsync="$(grep -c '^mps-patch step [0-9]* dirsync ' "$ERR_FILE")"
n_write="$(grep -c '^mps-patch step [0-9]* write ' "$ERR_FILE")"
tree_sum "$T" >"$WORK/.sum_patched"
expect_rc 0 revert --target "$T"
assert_tree_unchanged "$T" "$WORK/.sum_orig" "apply and revert"
[[ "$n_dirsync" -ge 4 && "$n_write" -ge 4 ]] || fail "the traced apply has too few steps: $n_dirsync dirsync, $n_write write"

# fault SPEC CMD EXPECT: run CMD with the fault; it must exit 2, name the
# error, and leave the tree as EXPECT (orig or patched); a plain command then
# works and nothing is left over.
fault() {
  local spec="$1" cmd="$2" expect="$3" msg="$4"
  run_env "MPS_PATCH_FAULT=$spec" "$cmd" --target "$T"
  assert_rc 2 "$cmd with $spec"
  assert_grep "$msg" "$ERR_FILE" "$cmd with $spec must say what failed"
  no_leftovers "$cmd with $spec"
  assert_tree_unchanged "$T" "$WORK/.sum_$expect" "$cmd with $spec must leave the $expect tree, nothing half-written"
  check_sibling "$cmd with $spec"
}

for k in 1 2 $((n_dirsync / 2)) $((n_dirsync - 2)); do
  fault "dirsync:$k:EIO" apply orig 'the directory could not be flushed to disk: Input/output error; every file it had changed was put back'
done
fault "dirsync:1:EACCES" apply orig 'the directory could not be flushed to disk: Permission denied'
# The last dirsync follows the journal's removal: the apply is complete.
run_env "MPS_PATCH_FAULT=dirsync:$n_dirsync:EIO" apply --target "$T"
assert_rc 2 "apply with the last dirsync failing"
assert_grep 'the apply is complete' "$ERR_FILE" "a failure after the commit point must say the apply is complete"
assert_tree_unchanged "$T" "$WORK/.sum_patched" "the apply whose last dirsync failed must be complete"
no_leftovers "the apply whose last dirsync failed"
# A revert whose directory fsync fails is finished from its journal.
fault "dirsync:2:EIO" revert orig 'the directory could not be flushed to disk: Input/output error'
expect_rc 0 revert --target "$T"
assert_tree_unchanged "$T" "$WORK/.sum_orig" "revert after the failures"

for spec in "write:1:ENOSPC" "write:3:ENOSPC" "write:$((n_write - 1)):ENOSPC" "write:$n_write:ENOSPC" \
  "create:4:ENOSPC" "fsync:2:ENOSPC" "rename:5:ENOSPC"; do
  fault "$spec" apply orig 'No space left on device'
done
expect_rc 0 apply --target "$T" --quiet
assert_tree_unchanged "$T" "$WORK/.sum_patched" "apply after the disk failures"
fault "write:2:ENOSPC" revert orig 'No space left on device'
assert_no_backups "$T"
check_sibling "disk failures"
note "ok"
