#!/usr/bin/env bash
# A write failing midway (injected with MPS_PATCH_FAIL_WRITE_AFTER=N) rolls back
# every earlier write: the tree is byte-identical to before.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
tree_sum "$T" >"$WORK/sum"

# How many writes a full apply makes: a backup and a source per file, one manifest.
expect_rc 0 apply --target "$T" --dry-run --json
n="$(json_get "$OUT_FILE" 'sum(1 for t in d["targets"] for f in t["files"] if f["status"] == "patched")')"
[[ "$n" -ge 3 ]] || fail "expected several files to patch, got $n"
total=$((2 * n + 1))

# The brief's case (a backup fails), a source write failing after some sources
# were replaced, and the manifest (the last write) failing.
for k in 3 0 $((n + 2)) $((2 * n)); do
  run_env "MPS_PATCH_FAIL_WRITE_AFTER=$k" apply --target "$T"
  assert_rc 2 "a failed write (after $k of $total) must exit 2"
  assert_grep 'MPS_PATCH_FAIL_WRITE_AFTER' "$ERR_FILE" "the error must say which write failed (after $k)"
  assert_tree_unchanged "$T" "$WORK/sum" "a write failing after $k of $total left the tree changed"
done

# With enough writes allowed, it goes through.
run_env "MPS_PATCH_FAIL_WRITE_AFTER=$total" apply --target "$T" --quiet
assert_rc 0 "apply with $total writes allowed"

# Rolling back a second apply that refreshes backups restores the old backups too.
REL=contrib/model/pytorch_gru_demo.py
cp "$DEMO/$REL" "$T/$REL"
printf 'stale\n' >"$T/$REL.backup_before_mps"
tree_sum "$T" >"$WORK/sum_stale"
run_env "MPS_PATCH_FAIL_WRITE_AFTER=1" apply --target "$T"
assert_rc 2 "a failed refresh must exit 2"
assert_tree_unchanged "$T" "$WORK/sum_stale" "a failed refresh left the tree changed"
expect_rc 0 apply --target "$T" --quiet

# revert is all-or-nothing in the same way.
tree_sum "$T" >"$WORK/sum_patched"
run_env "MPS_PATCH_FAIL_WRITE_AFTER=3" revert --target "$T"
assert_rc 2 "a failed revert must exit 2"
assert_tree_unchanged "$T" "$WORK/sum_patched" "a revert failing midway left the tree changed"
expect_rc 0 revert --target "$T"
assert_tree_unchanged "$T" "$WORK/sum" "revert after the failures did not restore the demo"
note "ok"
