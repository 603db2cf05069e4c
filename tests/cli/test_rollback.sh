#!/usr/bin/env bash
# A write failing midway (injected with MPS_PATCH_FAIL_WRITE_AFTER=N) is settled
# from the journal at once: an apply is rolled back (the tree is byte-identical
# to before), a revert is finished (the tree is the original).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
tree_sum "$T" >"$WORK/sum"

# How many writes a full apply makes: the journal, a backup and a source per
# file, one manifest.
expect_rc 0 apply --target "$T" --dry-run --json
n="$(json_get "$OUT_FILE" 'sum(1 for t in d["targets"] for f in t["files"] if f["status"] == "would-patch")')"
[[ "$n" -ge 3 ]] || fail "expected several files to patch, got $n"
total=$((2 * n + 2))

# A backup failing, the journal itself failing, a source write failing after
# some sources were replaced, and the manifest (the last write) failing.
for k in 3 0 $((n + 2)) $((2 * n + 1)); do
  run_env "MPS_PATCH_FAIL_WRITE_AFTER=$k" apply --target "$T"
  assert_rc 2 "a failed write (after $k of $total) must exit 2"
  assert_grep "$T/[^ ]+: cannot write: Input/output error" "$ERR_FILE" "the error must name the file whose write failed (after $k)"
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

# A revert failing midway is finished from its journal (its intent is
# recorded before the first file is touched): the tree is the original.
tree_sum "$T" >"$WORK/sum_patched"
run_env "MPS_PATCH_FAIL_WRITE_AFTER=3" revert --target "$T"
assert_rc 2 "a failed revert must exit 2"
assert_grep 'cannot write: Input/output error; the revert was finished from its journal' "$ERR_FILE" \
  "the error must say the revert was finished"
assert_tree_unchanged "$T" "$WORK/sum" "a revert failing midway was not finished from its journal"
expect_rc 0 revert --target "$T"
assert_grep 'Nothing to revert' "$OUT_FILE" "a finished revert left something to revert"
assert_tree_unchanged "$T" "$WORK/sum" "revert after the failures did not leave the demo as it was"
note "ok"
