#!/usr/bin/env bash
# Bad targets, unknown rules and malformed rule files: exit 2, with the path
# or file:line named, and nothing written.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
tree_sum "$T" >"$WORK/sum"
NX="$WORK/no/such/dir"

for cmd in apply verify revert; do
  expect_rc 2 "$cmd" --target "$NX"
  assert_grep "$NX" "$ERR_FILE" "$cmd --target: the error must name the missing path"
done
# One bad target among good ones: nothing is written to the good one.
expect_rc 2 apply --target "$T" --target "$NX"
assert_grep "$NX" "$ERR_FILE" "the error must name the missing path"
assert_tree_unchanged "$T" "$WORK/sum" "a bad second target let the first be written"

# An unknown rule id.
expect_rc 2 apply --target "$T" --rule nosuch
assert_grep 'nosuch' "$ERR_FILE" "the error must name the unknown rule"
assert_tree_unchanged "$T" "$WORK/sum" "--rule nosuch wrote something"

# --patches with something that is not a directory of rules.
expect_rc 2 rules --patches "$NX"
assert_grep "$NX" "$ERR_FILE" "--patches: the error must name the missing directory"
mkdir "$WORK/empty"
expect_rc 2 rules --patches "$WORK/empty"

# A malformed rule: its query names a node type that does not exist, on line 8.
BAD="$WORK/bad"
mkdir "$BAD"
cat >"$BAD/broken.toml" <<'TOML'
id = "broken-rule"
summary = "a rule whose query names a node type Python does not have"
language = "python"
files = ["**/*.py"]

query = '''
((expression_statement
   (no_such_node_type) @fn) @site
 (#eq? @fn "torch.cuda.synchronize"))
'''

replacement = '''
pass
'''

aware = '''
((call function: (attribute) @fn) @aware (#eq? @fn "torch.mps.synchronize"))
'''
TOML
for cmd in "rules" "apply --target $T" "verify --no-probe --target $T" "apply --dry-run --target $T"; do
  # shellcheck disable=SC2086
  expect_rc 2 $cmd --patches "$BAD"
  assert_grep 'broken\.toml:8:' "$ERR_FILE" "$cmd: the error must point at broken.toml:8:"
done
assert_tree_unchanged "$T" "$WORK/sum" "a malformed rule file let apply write"

# TOML that does not parse, and an unknown key: file:LINE: each time.
BAD2="$WORK/bad2"
mkdir "$BAD2"
printf 'id = "x"\nsummary = "s"\nlanguage = "python"\nfiles = ["**/*.py"\n' >"$BAD2/unclosed.toml"
expect_rc 2 rules --patches "$BAD2"
assert_grep 'unclosed\.toml:[0-9]+:' "$ERR_FILE" "a TOML syntax error must be reported as file:LINE:"
BAD3="$WORK/bad3"
mkdir "$BAD3"
sed 's/^language = "python"$/language = "python"\nflavour = "spicy"/; s/no_such_node_type/call/' \
  "$BAD/broken.toml" >"$BAD3/extra.toml"
expect_rc 2 rules --patches "$BAD3"
assert_grep 'extra\.toml:4:' "$ERR_FILE" "an unknown key must be reported at extra.toml:4:"

# A valid user rule is loaded, listed, and applied.
GOOD="$WORK/good"
mkdir "$GOOD"
cat >"$GOOD/cuda-sync.toml" <<'TOML'
id = "cuda-sync"
summary = "torch.cuda.synchronize() -> synchronise whichever of CUDA and MPS is there"
language = "python"
files = ["**/*.py"]

query = '''
((expression_statement (call function: (attribute) @fn arguments: (argument_list))) @site
 (#eq? @fn "torch.cuda.synchronize"))
'''

replacement = '''
if torch.cuda.is_available():
    torch.cuda.synchronize()
elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
    torch.mps.synchronize()
'''

aware = '''
((if_statement
   consequence: (block (expression_statement (call function: (attribute) @fn)))
   alternative: (elif_clause condition: (_) @cond)) @aware
 (#eq? @fn "torch.cuda.synchronize")
 (#match? @cond "mps"))
'''
TOML
expect_rc 0 rules --patches "$GOOD" --json
json_assert "$OUT_FILE" '"cuda-sync" in [r["id"] for r in d["rules"]]' "rules --json must list the user rule"
json_assert "$OUT_FILE" '[r["origin"] for r in d["rules"] if r["id"] == "cuda-sync"][0].endswith("cuda-sync.toml")' \
  "the user rule's origin must be its file"
json_assert "$OUT_FILE" 'len(d["rules"]) >= 2 and len({r["id"] for r in d["rules"]}) == len(d["rules"])' \
  "rule ids must be unique and the built-in rules listed too"
expect_rc 0 rules --patches "$GOOD"
assert_grep 'cuda-sync' "$OUT_FILE" "rules must list the user rule"

# Used by apply, selectable with --rule.
S="$WORK/sync"
mkdir "$S"
printf 'import torch\n\n\ndef step():\n    torch.cuda.synchronize()\n' >"$S/step.py"
cp "$S/step.py" "$WORK/step.orig"
expect_rc 2 apply --target "$S" --rule cuda-sync
assert_grep 'cuda-sync' "$ERR_FILE" "--rule with a user rule id needs its --patches"
expect_rc 0 apply --target "$S" --patches "$GOOD" --rule cuda-sync --json
json_assert "$OUT_FILE" 'd["sites_per_rule"] == {"cuda-sync": 1}' "the user rule must patch step.py once"
assert_grep 'torch\.mps\.synchronize\(\)' "$S/step.py" "step.py was not patched by the user rule"
expect_rc 0 verify --no-probe --target "$S" --patches "$GOOD"
expect_rc 0 revert --target "$S"
assert_same "$S/step.py" "$WORK/step.orig" "revert of a user-rule patch"

# A user rule reusing a built-in id is refused.
DUP="$WORK/dup"
mkdir "$DUP"
sed 's/^id = "cuda-sync"/id = "cache-clear"/' "$GOOD/cuda-sync.toml" >"$DUP/dup.toml"
expect_rc 2 rules --patches "$DUP"
assert_grep 'dup\.toml' "$ERR_FILE" "a duplicate rule id must name the file"
note "ok"
