#!/usr/bin/env bash
# --help of the tool and of each subcommand exits 0 and lists its options;
# unknown options and subcommands exit 2.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

expect_rc 0 --help
for cmd in apply verify revert rules; do
  assert_grep "^ +$cmd( |$)" "$OUT_FILE" "top-level --help does not list $cmd"
done
expect_rc 0 --version
[[ -s "$OUT_FILE" ]] || fail "--version printed nothing"

check_help() {  # CMD OPTION...
  local cmd="$1"
  shift
  expect_rc 0 "$cmd" --help
  expect_rc 0 "$cmd" -h
  for opt in "$@"; do
    assert_grep "$opt" "$OUT_FILE" "$cmd --help does not document $opt"
  done
}
check_help apply --target --python --dry-run --rule --keep-going --json --quiet --color --patches
check_help verify --target --python --no-probe --probe --require-mps --json --patches
check_help revert --target --python --force --json --patches
check_help rules --json --patches

# Errors in the command line: exit 2, never 0 or 1, and a message on stderr.
T="$WORK/qlib"
copy_demo "$T"
for args in "apply --no-such-option --target $T" "verify --bogus --target $T" "revert --frobnicate --target $T" \
  "rules --target $T" "--no-such-option" "" "apply --color sometimes --target $T" "apply --target" \
  "no-such-command"; do
  # shellcheck disable=SC2086
  expect_rc 2 $args
  [[ -s "$ERR_FILE" || -s "$OUT_FILE" ]] || fail "mps-patch $args: exit 2 with no message"
done
assert_tree_same "$T" "$DEMO" "a rejected command line wrote something"
assert_no_backups "$T"
note "ok"
