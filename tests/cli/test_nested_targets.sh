#!/usr/bin/env bash
# Overlapping --target options (a package and a directory inside it) name some
# files twice: each file must still be patched, counted and recorded once, and
# revert with the same targets must leave the tree exactly as it was.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
INNER="$T/contrib/model"

# What one target alone reports.
expect_rc 0 apply --dry-run --target "$T" --json
cp "$OUT_FILE" "$WORK/single.json"
files="$(json_get "$WORK/single.json" 'sum(1 for t in d["targets"] for f in t["files"] if f["status"] == "would-patch")')"
per_rule="$(json_get "$WORK/single.json" 'd["sites_per_rule"]')"

expect_rc 0 apply --target "$T" --target "$INNER" --json
json_assert "$OUT_FILE" "d['files_written'] == $files" \
  "files_written must count each of the $files files once"
json_assert "$OUT_FILE" "d['sites_per_rule'] == $per_rule" \
  "sites_per_rule must count each site once"
expect_rc 0 verify --no-probe --target "$T"

expect_rc 0 revert --target "$T" --target "$INNER"
assert_tree_same "$T" "$DEMO" "revert with the same targets did not restore the tree exactly"
assert_no_backups "$T" "revert left backups or a manifest"
note "ok"
