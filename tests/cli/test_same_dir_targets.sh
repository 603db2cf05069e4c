#!/usr/bin/env bash
# Several --target options naming files of one directory (or a directory and a
# file in it) share that directory's manifest: apply and revert must handle all
# of them in one run, and the manifest must record every patched file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

D="$WORK/pkg"
copy_bytes crlf_model.py "$D"
copy_bytes tabs_model.py "$D"

expect_rc 0 apply --target "$D/crlf_model.py" --target "$D/tabs_model.py"
for f in crlf_model.py tabs_model.py; do
  assert_differs "$D/$f" "$BYTES/$f" "$f was not patched"
  assert_same "$D/$f.backup_before_mps" "$BYTES/$f" "$f: backup is not the original"
done
json_assert "$D/.mps-patch-manifest.json" 'sorted(e["path"] for e in d["files"]) == ["crlf_model.py", "tabs_model.py"]' \
  "the shared manifest must record both files"
expect_rc 0 verify --no-probe --target "$D"

expect_rc 0 revert --target "$D/crlf_model.py" --target "$D/tabs_model.py"
for f in crlf_model.py tabs_model.py; do
  assert_same "$D/$f" "$BYTES/$f" "$f was not restored"
done
assert_no_backups "$D" "revert left backups or the manifest"

# A directory and a file inside it, named together.
expect_rc 0 apply --target "$D" --target "$D/tabs_model.py"
json_assert "$D/.mps-patch-manifest.json" 'sorted(e["path"] for e in d["files"]) == ["crlf_model.py", "tabs_model.py"]' \
  "the manifest must record both files"
expect_rc 0 revert --target "$D"
assert_same "$D/crlf_model.py" "$BYTES/crlf_model.py"
assert_same "$D/tabs_model.py" "$BYTES/tabs_model.py"
assert_no_backups "$D"
note "ok"
