#!/usr/bin/env bash
# Formula/mps-patch.rb: its Ruby parses and its grammars come from
# grammars/package-lock.json; .pre-commit-hooks.yaml is well formed and runs
# `apply --check`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

F="$REPO/Formula/mps-patch.rb"
command -v ruby >/dev/null 2>&1 || fail "ruby is needed to check the formula: bash .ci/install-deps"
ruby -c "$F" >/dev/null || fail "Formula/mps-patch.rb does not parse"

# The formula takes the grammars from the lockfile (npm ci, no install scripts),
# names no download of its own, and builds from the directory npm fills.
"$PY" - "$F" <<'PY' || fail "the formula must build its grammars from grammars/package-lock.json"
import re, sys
text = open(sys.argv[1]).read()
problems = []
if re.search(r'^\s*resource\s', text, re.M):
    problems.append("a resource downloads something the lockfile does not pin")
if not re.search(r'cd "grammars" do\s+system "npm", "ci", "--ignore-scripts"', text):
    problems.append("no `npm ci --ignore-scripts` in grammars/")
if 'depends_on "node" => :build' not in text:
    problems.append("npm is used but node is not a build dependency")
if "-DMPS_GRAMMARS_DIR=#{grammars}" not in text or 'buildpath/"grammars/node_modules"' not in text:
    problems.append("the build does not take the grammars npm installed")
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
# The pre-commit hooks: YAML that pre-commit reads, whose entries run here.
H="$REPO/.pre-commit-hooks.yaml"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is needed: bash .ci/install-deps"
/usr/bin/python3 - "$H" >"$WORK/entries" <<'PY' || fail ".pre-commit-hooks.yaml is malformed"
import sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
assert isinstance(hooks, list) and hooks
for h in hooks:
    assert {"id", "name", "entry", "language"} <= set(h), h
    assert h["language"] == "system" and h["entry"].startswith("mps-patch "), h
    assert h.get("types") == ["python"], h
    print(h["entry"][len("mps-patch "):])
PY
T="$WORK/repo"
copy_demo "$T"
tree_sum "$T" >"$WORK/sum"
while IFS= read -r args; do
  # pre-commit appends the staged files.
  # shellcheck disable=SC2086
  expect_rc 1 $args "$T/contrib/model/pytorch_gru_demo.py" "$T/contrib/model/gbdt_demo.py"
  assert_grep 'pytorch_gru_demo\.py' "$OUT_FILE" "the hook ($args) must name the file with pending changes"
  # shellcheck disable=SC2086
  expect_rc 0 $args "$T/contrib/model/gbdt_demo.py"
done <"$WORK/entries"
assert_tree_unchanged "$T" "$WORK/sum" "a pre-commit hook wrote something"
note "ok"
