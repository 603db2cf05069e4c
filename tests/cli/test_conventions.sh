#!/usr/bin/env bash
# Command-line conventions: typo suggestions, shared options before or after
# the command, `help [COMMAND]`, -V/--version, combined short options, `--`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"

expect_rc 2 aply --target "$T"
assert_grep "unknown command 'aply'; did you mean 'apply'\?" "$ERR_FILE" "a typo of a command must get a suggestion"
expect_rc 2 verfy
assert_grep "did you mean 'verify'" "$ERR_FILE"
expect_rc 2 bogus
assert_grep "unknown command 'bogus'" "$ERR_FILE" "an unknown command must be named"
assert_no_grep "did you mean" "$ERR_FILE" "nothing is close to 'bogus'"
expect_rc 2 apply --dry --target "$T"
assert_grep "unknown option '--dry' for \`apply\`; did you mean '--dry-run'\?" "$ERR_FILE" "a clipped option must get a suggestion"
expect_rc 2 apply --colour never --target "$T"
assert_grep "did you mean '--color'" "$ERR_FILE"
expect_rc 2 apply --color sometimes --target "$T"
assert_grep "not one of auto, always, never" "$ERR_FILE"
expect_rc 2 --dry-run apply --target "$T"
assert_grep "put it after the command: mps-patch apply --dry-run" "$ERR_FILE" "a command's option before the command"
expect_rc 2 rules --target "$T"
assert_grep "does not apply to \`rules\`" "$ERR_FILE" "an option a command does not take must be named"
expect_rc 2 --target "$T" rules
assert_grep "does not apply to \`rules\`" "$ERR_FILE" "the same before the command"
expect_rc 2 apply --target
assert_grep "needs a value" "$ERR_FILE"
expect_rc 2 --quiet=yes rules
assert_grep "takes no value" "$ERR_FILE"
expect_rc 2 completions
expect_rc 2 completions tcsh
assert_grep "unknown SHELL 'tcsh'" "$ERR_FILE"
expect_rc 2 rules extra
assert_grep "takes no arguments" "$ERR_FILE"
expect_rc 2
assert_grep "a command is required" "$ERR_FILE"
assert_grep "^Commands:" "$ERR_FILE" "no command: the usage must follow"
assert_no_grep "." "$OUT_FILE" "errors went to stdout"
# Mistakes are reported before anything runs: nothing was written.
assert_tree_same "$T" "$DEMO"

# help, --help, help COMMAND, -V.
expect_rc 0 help
cp "$OUT_FILE" "$WORK/help"
expect_rc 0 --help
assert_same "$OUT_FILE" "$WORK/help" "help and --help differ"
for cmd in apply verify revert scan rules test completions help; do
  expect_rc 0 help "$cmd"
  cp "$OUT_FILE" "$WORK/h1"
  expect_rc 0 "$cmd" --help
  assert_same "$OUT_FILE" "$WORK/h1" "help $cmd and $cmd --help differ"
  assert_grep "^Usage: mps-patch $cmd" "$OUT_FILE" "help $cmd has no usage line"
done
expect_rc 2 help aply
assert_grep "did you mean 'apply'" "$ERR_FILE"
expect_rc 0 -V
cp "$OUT_FILE" "$WORK/v"
expect_rc 0 --version
assert_same "$OUT_FILE" "$WORK/v" "-V and --version differ"
ts_py="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$REPO/grammars/node_modules/tree-sitter-python/package.json")"
assert_grep "^mps-patch [0-9]+\.[0-9]+\.[0-9]+ \(tree-sitter [0-9]+\.[0-9]+\.[0-9]+, tree-sitter-python ${ts_py//./\\.}, libgit2 [0-9]+\.[0-9]+\.[0-9]+\)$" \
  "$OUT_FILE" "--version must name the versions of mps-patch, tree-sitter, the grammar and libgit2"

# Shared options before or after the command give the same result.
expect_rc 1 verify --no-probe --target "$T" --json
cp "$OUT_FILE" "$WORK/after.json"
expect_rc 1 --json --target "$T" verify --no-probe
assert_same "$OUT_FILE" "$WORK/after.json" "--json/--target before the command"
expect_rc 1 -q --color=never verify --no-probe "$T"
cp "$OUT_FILE" "$WORK/q1"
expect_rc 1 verify --no-probe -q "$T" --color never
assert_same "$OUT_FILE" "$WORK/q1" "-q and --color before and after the command"
assert_no_grep '^mps-patch verify' "$OUT_FILE" "--quiet printed the heading"

# PATH arguments are targets; short options combine; `--` ends options.
expect_rc 0 apply -nq "$T" -j1
cp "$OUT_FILE" "$WORK/nq"
expect_rc 0 apply --dry-run --quiet --jobs=1 --target "$T"
assert_same "$OUT_FILE" "$WORK/nq" "-nq -j1 and --dry-run --quiet --jobs=1 differ"
mkdir -p "$WORK/-odd"
printf 'import torch\ntorch.cuda.empty_cache()\n' >"$WORK/-odd/m.py"
(cd "$WORK" && "$MPS" scan -- -odd >"$OUT_FILE" 2>"$ERR_FILE") && fail "scan -- -odd: expected exit 1"
assert_grep '^-odd/m\.py:2:1: cache-clear' "$OUT_FILE" "a path after -- must be taken as a path"
expect_rc 2 apply --jobs many --target "$T"
assert_grep "not a number" "$ERR_FILE"
expect_rc 0 apply -n --max-file-size 1M --target "$T"
expect_rc 2 apply -n --max-file-size lots --target "$T"
assert_grep "not a size" "$ERR_FILE"

# JSON errors: even for a command line that does not parse.
expect_rc 2 --json aply
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" 'd["type"] == "error" and d["command"] is None and "did you mean" in d["error"]["next"] and d["exit_code"] == 2' \
  "a mistyped command with --json must give a JSON error"
expect_rc 2 apply --json --target "$WORK/nope"
json_assert "$OUT_FILE" 'd["type"] == "error" and d["command"] == "apply" and "nope" in (d["error"]["path"] or d["error"]["message"])' \
  "a bad target with --json must give a JSON error naming it"
expect_rc 2 apply --json=stream --target "$WORK/nope"
[[ "$(wc -l <"$OUT_FILE")" -eq 1 ]] || fail "a stream error must be one line"
json_ok "$OUT_FILE"

# A directory named like a rule file is not a rule file, and not an internal error.
R="$WORK/rules"
mkdir -p "$R/sub.toml"
sed 's/^id = "cache-clear"/id = "cache-clear-2"/' "$REPO/patches/cache-clear.toml" >"$R/mine.toml"
run_mps rules --patches "$R"
assert_no_grep 'internal error' "$ERR_FILE" "a directory named sub.toml gave an internal error"
[[ "$RC" == 0 ]] || fail "rules --patches with a directory named sub.toml: exit $RC"
assert_grep 'cache-clear-2' "$OUT_FILE"
note "ok"
