#!/usr/bin/env bash
# A file with device code that does not parse blocks every write; --keep-going
# patches the others and still exits 2.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/pkg"
copy_bytes tabs_model.py "$T"
copy_bytes unparsable.py "$T"
tree_sum "$T" >"$WORK/sum"

expect_rc 2 apply --target "$T"
assert_grep 'unparsable\.py' "$ERR_FILE" "the error must name unparsable.py"
assert_no_grep 'tabs_model\.py' "$ERR_FILE" "the error blames the good file"
assert_tree_unchanged "$T" "$WORK/sum" "a blocked apply wrote something"
assert_no_backups "$T" "a blocked apply left a backup or manifest"

# --json: valid, blocked, nothing written, exit 2.
expect_rc 2 apply --target "$T" --json
json_assert "$OUT_FILE" 'd["blocked"] and not d["written"] and d["files_written"] == 0' \
  "--json must report the apply blocked and unwritten"
json_assert "$OUT_FILE" '{f["path"]: f["status"] for t in d["targets"] for f in t["files"]}["unparsable.py"] == "refused"' \
  "--json must report unparsable.py as refused"
assert_tree_unchanged "$T" "$WORK/sum" "a blocked apply --json wrote something"

# A second target cannot be written either while one target is blocked.
O="$WORK/other"
copy_bytes crlf_model.py "$O"
expect_rc 2 apply --target "$O" --target "$T"
assert_same "$O/crlf_model.py" "$BYTES/crlf_model.py" "a blocked file in one target let another target be written"
assert_no_backups "$O" "a blocked apply wrote a backup in another target"

# --keep-going: the good file is patched (with its backup), the bad one is not,
# and the exit status still says something was left undone.
expect_rc 2 apply --target "$T" --keep-going
assert_grep 'unparsable\.py' "$ERR_FILE" "--keep-going must still name unparsable.py"
assert_differs "$T/tabs_model.py" "$BYTES/tabs_model.py" "--keep-going did not patch the good file"
assert_same "$T/tabs_model.py.backup_before_mps" "$BYTES/tabs_model.py" "--keep-going: bad backup of the good file"
assert_same "$T/unparsable.py" "$BYTES/unparsable.py" "--keep-going changed unparsable.py"
assert_missing "$T/unparsable.py.backup_before_mps" "--keep-going backed up unparsable.py"
assert_exists "$T/.mps-patch-manifest.json" "--keep-going wrote no manifest"
json_assert "$T/.mps-patch-manifest.json" '[e["path"] for e in d["files"]] == ["tabs_model.py"]' \
  "the manifest must record only the patched file"

# Undo is clean.
expect_rc 0 revert --target "$T"
assert_same "$T/tabs_model.py" "$BYTES/tabs_model.py" "revert after --keep-going"
assert_no_backups "$T"

# --keep-going --json: JSON, exit 2, written.
expect_rc 2 apply --target "$T" --keep-going --json
json_assert "$OUT_FILE" 'd["blocked"] and d["written"] and d["files_written"] == 1' \
  "--keep-going --json must report one file written despite the block"
note "ok"
