#!/usr/bin/env bash
# scan: exit status (1 sites found, 0 none, 2 errors), what each finding
# carries (file, line, column, rule, the matched text; MPS-aware sites apart),
# JSON that matches docs/json-schema.json, no writes, the directories it
# skips, .gitignore inside a git work tree, --rule, and one output order
# whatever --jobs is.
#
# What the walk does about ignore files (src/store/walk.cpp):
# - .git, __pycache__, node_modules and every hidden directory (a name that
#   starts with ".") are never entered; hidden *files* are scanned;
# - inside a git work tree, .gitignore files (the top one and nested ones)
#   and .git/info/exclude are honoured through libgit2, also when PATH is a
#   subdirectory of the work tree;
# - outside a git work tree no .gitignore is read: every file is scanned;
# - a file named on the command line is scanned even when it is ignored.
# (test_json_schema.sh and test_names.sh cover more of scan's JSON and names.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

SYS_PY=/usr/bin/python3
"$SYS_PY" -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema is needed: bash .ci/install-deps"
SCHEMA="$REPO/docs/json-schema.json"
V="$REPO/tests/cli/validate_json.py"
GRU="$DEMO/contrib/model/pytorch_gru_demo.py"

# validate KIND FILE: FILE (doc or stream) matches the schema.
validate() {
  "$SYS_PY" "$V" "$SCHEMA" "$1" "$2" >"$WORK/.v.out" 2>&1 ||
    fail "$1 $(basename -- "$2") does not match the schema: $(head -c 1500 "$WORK/.v.out")"
}
# paths FILE: the sorted set of paths with a site in a --json document.
paths() { json_get "$1" 'sorted({s["path"] for s in d["sites"]})'; }

# --- Exit status -------------------------------------------------------------
T="$WORK/qlib"
copy_demo "$T"
tree_sum "$T" >"$WORK/sum_demo"

expect_rc 1 scan "$T"
assert_grep '^/.*/contrib/model/pytorch_gru_demo\.py:[0-9]+:[0-9]+: device-select$' "$OUT_FILE" \
  "scan must print PATH:LINE:COLUMN: RULE for each site"
assert_grep 'files? scanned: [0-9]+ sites? to rewrite' "$ERR_FILE" "scan must count on stderr"
expect_rc 1 scan "$T" --quiet
[[ ! -s "$ERR_FILE" ]] || fail "scan --quiet wrote to stderr: $(head -c 200 "$ERR_FILE")"

CLEAN="$WORK/clean"
mkdir -p "$CLEAN/pkg"
printf 'import torch\n\n\ndef f(x):\n    return torch.zeros(3) + x\n' >"$CLEAN/pkg/plain.py"
printf 'no python here\n' >"$CLEAN/README"
expect_rc 0 scan "$CLEAN"
[[ ! -s "$OUT_FILE" ]] || fail "scan printed findings on a tree without sites"
expect_rc 0 scan "$CLEAN" --json
json_assert "$OUT_FILE" 'd["sites"] == [] and d["counts"]["sites"] == 0 and d["files_scanned"] >= 1' \
  "a tree without sites must report none"
mkdir -p "$WORK/empty"
expect_rc 0 scan "$WORK/empty"

expect_rc 2 scan "$WORK/no/such/dir"
assert_grep 'no such file or directory' "$ERR_FILE" "a missing PATH must be named as missing"
expect_rc 2 scan "$T" "$WORK/no/such/file.py"
expect_rc 2 scan "$T" --rule no-such-rule
assert_grep 'no-such-rule' "$ERR_FILE" "a bad --rule must be named"
expect_rc 2 scan
expect_rc 2 scan "$T" --jobs zero
expect_rc 2 scan "$WORK/no/such/dir" --json
json_assert "$OUT_FILE" 'd["type"] == "error"' "an error under --json must be an error document"
cp "$OUT_FILE" "$WORK/error.json"
validate doc "$WORK/error.json"

# --- What a finding carries ---------------------------------------------------
expect_rc 1 scan "$T" --json
cp "$OUT_FILE" "$WORK/demo.json"
json_assert "$WORK/demo.json" 'd["command"] == "scan" and d["counts"]["sites"] == len(d["sites"]) > 0' \
  "the site count must match the sites listed"
json_assert "$WORK/demo.json" 'all(set(s) == {"root", "path", "line", "column", "rule", "text"} for s in d["sites"])' \
  "each site must carry root, path, line, column, rule and text"
# The text is what the source holds at LINE:COLUMN (1-based, bytes).
"$PY" - "$WORK/demo.json" <<'PY' || fail "a site's line, column and text do not match its file"
import json, os, sys
d = json.load(open(sys.argv[1]))
for s in d["sites"]:
    lines = open(os.path.join(s["root"], s["path"]), "rb").read().split(b"\n")
    at = lines[s["line"] - 1][s["column"] - 1:]
    first = s["text"].encode().split(b"\n")[0]
    if not first or not at.startswith(first):
        print(s, at[:80])
        sys.exit(1)
PY
json_assert "$WORK/demo.json" '{"device-select", "cache-clear"} <= {s["rule"] for s in d["sites"]}' \
  "the demo's device-select and cache-clear sites must be found"
N_ALL=$(json_get "$WORK/demo.json" 'len(d["sites"])')
N_DEV=$(json_get "$WORK/demo.json" 'len([s for s in d["sites"] if s["rule"] == "device-select"])')
N_CACHE=$(json_get "$WORK/demo.json" 'len([s for s in d["sites"] if s["rule"] == "cache-clear"])')

# MPS-aware sites are listed apart: one file patched, one not.
MIX="$WORK/mix"
mkdir -p "$MIX/done" "$MIX/todo"
cp "$GRU" "$MIX/done/"
cp "$GRU" "$MIX/todo/"
chmod -R u+w "$MIX"
expect_rc 0 apply --target "$MIX/done" --quiet
expect_rc 0 scan "$MIX/done" --json
json_assert "$OUT_FILE" 'd["sites"] == [] and len(d["aware"]) == d["counts"]["aware"] > 0' \
  "a patched file must give aware sites and no site to rewrite"
expect_rc 1 scan "$MIX" --json
cp "$OUT_FILE" "$WORK/mix.json"
json_assert "$WORK/mix.json" '{s["path"] for s in d["sites"]} == {"todo/pytorch_gru_demo.py"} and {s["path"] for s in d["aware"]} == {"done/pytorch_gru_demo.py"}' \
  "sites to rewrite and aware sites must be listed apart"
json_assert "$WORK/mix.json" 'all(set(s) == {"root", "path", "line", "column", "rule", "text"} and s["text"] for s in d["aware"])' \
  "each aware site must carry root, path, line, column, rule and text"
expect_rc 1 --json=stream scan "$MIX"
cp "$OUT_FILE" "$WORK/mix.jsonl"
"$PY" - "$WORK/mix.jsonl" <<'PY' || fail "the stream must give site and aware objects, then the result"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
types = [o["type"] for o in objs]
assert types[-1] == "result", types
assert "site" in types and "aware" in types, types
assert all(o["command"] == "scan" for o in objs)
PY

# A file named on the command line: path is the argument itself.
expect_rc 1 scan "$GRU" --json
json_assert "$OUT_FILE" "d['files_scanned'] == 1 and {s['path'] for s in d['sites']} == {'$GRU'}" \
  "a file PATH must be reported under its own name"

# --- JSON schema ---------------------------------------------------------------
validate doc "$WORK/demo.json"
validate doc "$WORK/mix.json"
validate stream "$WORK/mix.jsonl"
expect_rc 0 scan "$CLEAN" --json
cp "$OUT_FILE" "$WORK/clean.json"
validate doc "$WORK/clean.json"
expect_rc 1 --json=stream scan "$T" --rule device-select
cp "$OUT_FILE" "$WORK/rule.jsonl"
validate stream "$WORK/rule.jsonl"
expect_rc 2 --json=stream scan "$T" --rule no-such-rule
cp "$OUT_FILE" "$WORK/bad_rule.jsonl"
validate stream "$WORK/bad_rule.jsonl"

# --- --rule --------------------------------------------------------------------
expect_rc 1 scan "$T" --rule device-select --json
json_assert "$OUT_FILE" "{s['rule'] for s in d['sites']} == {'device-select'} and len(d['sites']) == $N_DEV" \
  "--rule device-select must give exactly the device-select sites"
expect_rc 1 scan "$T" --rule device-select --rule cache-clear --json
json_assert "$OUT_FILE" "{s['rule'] for s in d['sites']} == {'device-select', 'cache-clear'} and len(d['sites']) == $((N_DEV + N_CACHE))" \
  "two --rule options must give exactly those rules' sites"
expect_rc 1 scan "$T" --rule device-select
! grep -Ev ': device-select$' "$OUT_FILE" | grep -q . || fail "--rule device-select printed another rule's site"
# A rule with no site in the tree: nothing to rewrite, exit 0.
expect_rc 0 scan "$CLEAN" --rule device-select
(( N_DEV < N_ALL )) || fail "the demo should hold sites of rules other than device-select"

# --- Skipped directories ---------------------------------------------------------
S="$WORK/skips"
mkdir -p "$S/pkg" "$S/.git" "$S/pkg/__pycache__" "$S/node_modules/m" "$S/.venv/lib" "$S/pkg/.hidden"
for d in pkg .git pkg/__pycache__ node_modules/m .venv/lib pkg/.hidden; do cp "$GRU" "$S/$d/model.py"; done
cp "$GRU" "$S/pkg/.hidden_file.py"
chmod -R u+w "$S"
expect_rc 1 scan "$S" --json
json_assert "$OUT_FILE" '{s["path"] for s in d["sites"]} == {"pkg/model.py", "pkg/.hidden_file.py"}' \
  "scan must skip .git, __pycache__, node_modules and hidden directories (and scan hidden files)"
# A skipped name given as PATH itself is scanned.
expect_rc 1 scan "$S/pkg/.hidden" --json
json_assert "$OUT_FILE" '{s["path"] for s in d["sites"]} == {"model.py"}' "a hidden directory named as PATH must be scanned"

# --- .gitignore --------------------------------------------------------------------
command -v git >/dev/null || fail "git is needed"
G="$WORK/repo"
mkdir -p "$G/src/sub" "$G/build" "$G/data"
for f in src/kept.py src/ignored_model.py src/sub/kept_too.py src/sub/local_tmp.py build/gen.py data/excluded.py; do
  cp "$GRU" "$G/$f"
done
chmod -R u+w "$G"
printf '# top-level ignores\nignored_model.py\nbuild/\n' >"$G/.gitignore"
printf 'local_*.py\n' >"$G/src/sub/.gitignore"
# Outside a git work tree the same .gitignore files are not read.
expect_rc 1 scan "$G" --json
[[ "$(paths "$OUT_FILE")" == '["build/gen.py", "data/excluded.py", "src/ignored_model.py", "src/kept.py", "src/sub/kept_too.py", "src/sub/local_tmp.py"]' ]] ||
  fail "outside a git work tree every file must be scanned, .gitignore or not: $(paths "$OUT_FILE")"
git -c init.defaultBranch=main init -q "$G"
printf 'data/\n' >>"$G/.git/info/exclude"
tree_sum "$G" >"$WORK/sum_repo"
expect_rc 1 scan "$G" --json
[[ "$(paths "$OUT_FILE")" == '["src/kept.py", "src/sub/kept_too.py"]' ]] ||
  fail "inside a git work tree .gitignore (nested too) and info/exclude must be honoured: $(paths "$OUT_FILE")"
cp "$OUT_FILE" "$WORK/repo.json"
validate doc "$WORK/repo.json"
# PATH below the work tree's top: the top-level and nested rules still apply.
expect_rc 1 scan "$G/src" --json
[[ "$(paths "$OUT_FILE")" == '["kept.py", "sub/kept_too.py"]' ]] ||
  fail "a subdirectory of a work tree must honour the .gitignore files above and below it: $(paths "$OUT_FILE")"
expect_rc 1 scan "$G/src/sub"
assert_no_grep 'local_tmp' "$OUT_FILE" "a nested .gitignore must be honoured when PATH is its directory"
# Only ignored files with sites: nothing to rewrite.
expect_rc 0 scan "$G/build"
# A file named on the command line is scanned even when ignored.
expect_rc 1 scan "$G/src/ignored_model.py"
assert_tree_unchanged "$G" "$WORK/sum_repo" "scan wrote into the git work tree"

# --- Writes nothing ------------------------------------------------------------------
assert_tree_unchanged "$T" "$WORK/sum_demo" "scan wrote into the scanned tree"
assert_no_backups "$T"

# --- One order whatever --jobs is ------------------------------------------------------
BIG="$WORK/big"
for i in $(seq -w 1 14); do copy_demo "$BIG/pkg$i/qlib"; done
cp -R "$S/pkg" "$BIG/zz"  # hidden file, nested skips
nfiles=$(find "$BIG" -name '*.py' -not -path '*/.hidden/*' -not -path '*/__pycache__/*' | wc -l)
(( nfiles >= 300 )) || fail "the order tree should hold a few hundred files, not $nfiles"
for form in text json stream; do
  for j in 1 2; do
    case "$form" in
      text) expect_rc 1 scan "$BIG" --jobs "$j" ;;
      json) expect_rc 1 scan "$BIG" --jobs "$j" --json ;;
      stream) expect_rc 1 --json=stream scan "$BIG" --jobs "$j" ;;
    esac
    cp "$OUT_FILE" "$WORK/order.$form.$j"
    cp "$ERR_FILE" "$WORK/order.$form.$j.err"
  done
  [[ -s "$WORK/order.$form.1" ]] || fail "scan --jobs 1 printed nothing ($form)"
  assert_same "$WORK/order.$form.1" "$WORK/order.$form.2" "scan output ($form) differs between --jobs 1 and --jobs 2"
  assert_same "$WORK/order.$form.1.err" "$WORK/order.$form.2.err" "scan stderr ($form) differs between --jobs 1 and --jobs 2"
done
# The order itself: files by path (bytes), then line and column.
"$PY" - "$WORK/order.json.1" "$nfiles" <<'PY' || fail "scan output is not in path, line, column order"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["files_scanned"] == int(sys.argv[2]), (d["files_scanned"], sys.argv[2])
for key in ("sites", "aware"):
    k = [(s["path"].encode(), s["line"], s["column"]) for s in d[key]]
    assert k == sorted(k), key
assert len({s["path"] for s in d["sites"]}) > 100
PY
note "ok ($N_ALL sites in the demo, $nfiles files in the order tree)"
