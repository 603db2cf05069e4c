#!/usr/bin/env bash
# revert refuses a file edited since it was patched, or whose backup does not
# match the manifest; it restores the rest; --force then restores the refused.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
EDITED=contrib/model/pytorch_gru_demo.py
F="$T/$EDITED"

expect_rc 0 apply --target "$T" --quiet
assert_exists "$F.backup_before_mps" "apply made no backup of $EDITED"
printf '# a local edit made after patching\n' >>"$F"
cp "$F" "$WORK/edited"
cp "$F.backup_before_mps" "$WORK/edited.backup"

expect_rc 2 revert --target "$T"
assert_grep 'pytorch_gru_demo\.py' "$ERR_FILE" "the refusal must name the edited file"
assert_same "$F" "$WORK/edited" "a refused file was changed"
assert_same "$F.backup_before_mps" "$WORK/edited.backup" "a refused file's backup was changed"
assert_exists "$T/.mps-patch-manifest.json" "the manifest must still record the refused file"
# Everything else was restored and lost its backup.
while IFS= read -r -d '' f; do
  rel="${f#"$T"/}"
  [[ "$rel" == "$EDITED" ]] && continue
  assert_same "$f" "$DEMO/$rel" "revert did not restore $rel next to a refused file"
  assert_missing "$f.backup_before_mps" "revert left the backup of $rel"
done < <(find "$T" -name '*.py' -print0)

# --json tells the same: one refused file, exit 2.
expect_rc 2 revert --target "$T" --json
json_assert "$OUT_FILE" "d['refused'] and [f['path'] for t in d['targets'] for f in t['files'] if f['status'] == 'refused'] == ['$EDITED']" \
  "revert --json must report exactly the edited file as refused"
assert_same "$F" "$WORK/edited" "a second refused revert changed the file"

expect_rc 0 revert --target "$T" --force
assert_tree_same "$T" "$DEMO" "revert --force did not restore the edited file"
assert_no_backups "$T" "revert --force left a backup or the manifest"

# A tampered backup: refused, untouched; --force restores from it anyway.
TAMPERED=contrib/model/pytorch_tcts_demo.py
B="$T/$TAMPERED.backup_before_mps"
expect_rc 0 apply --target "$T" --quiet
printf '# tampered\n' >>"$B"
cp "$T/$TAMPERED" "$WORK/tampered.patched"
cp "$B" "$WORK/tampered.backup"
expect_rc 2 revert --target "$T"
assert_grep 'pytorch_tcts_demo\.py' "$ERR_FILE" "the refusal must name the file whose backup was tampered with"
assert_same "$T/$TAMPERED" "$WORK/tampered.patched" "a file with a tampered backup was changed"
assert_same "$B" "$WORK/tampered.backup" "a tampered backup was removed or changed"
assert_same "$T/contrib/model/pytorch_gru_demo.py" "$DEMO/contrib/model/pytorch_gru_demo.py" \
  "the other files must be restored"
expect_rc 0 revert --target "$T" --force
assert_same "$T/$TAMPERED" "$WORK/tampered.backup" "revert --force must restore from the backup it was given"
assert_no_backups "$T" "revert --force left a backup or the manifest"

# A backup with no manifest to check it against: refused without --force.
expect_rc 0 apply --target "$T" --quiet
rm "$T/.mps-patch-manifest.json"
expect_rc 2 revert --target "$T"
assert_differs "$T/$EDITED" "$DEMO/$EDITED" "an unrecorded backup was restored without --force"
expect_rc 0 revert --target "$T" --force
assert_same "$T/$EDITED" "$DEMO/$EDITED" "revert --force did not restore from an unrecorded backup"
assert_no_backups "$T" "revert --force left backups"
note "ok"
