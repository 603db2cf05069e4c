#!/usr/bin/env bash
# apply --rule ID patches only that rule's sites; a later full apply patches
# the rest and keeps the backups of the pristine originals, so one revert
# restores the files as they were before the first apply.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"

expect_rc 0 apply --target "$T" --rule cache-clear --json
json_assert "$OUT_FILE" 'list(d["sites_per_rule"]) == ["cache-clear"] and d["sites_per_rule"]["cache-clear"] > 0' \
  "--rule cache-clear must patch cache-clear sites only"
json_assert "$OUT_FILE" 'all(e["rule"] == "cache-clear" for t in d["targets"] for f in t["files"] for e in f.get("edits", []))' \
  "--rule cache-clear made edits of another rule"
assert_grep 'torch\.mps\.empty_cache\(\)' "$T/contrib/model/pytorch_gru_demo.py" "the cache call was not patched"
assert_no_grep 'torch\.device\("mps"\)' "$T/contrib/model/pytorch_gru_demo.py" "--rule cache-clear rewrote device selection"
assert_same "$T/contrib/model/pytorch_tabnet_demo.py" "$DEMO/contrib/model/pytorch_tabnet_demo.py" \
  "a file without cache calls was changed by --rule cache-clear"
expect_rc 1 verify --no-probe --target "$T" --json
json_assert "$OUT_FILE" 'all(s["rule"] != "cache-clear" for t in d["targets"] for f in t["files"] for s in f["unpatched"])' \
  "verify still finds cache-clear sites after --rule cache-clear"

# Two --rule options: both rules, no others.
expect_rc 0 apply --target "$T" --rule device-select --rule module-device --dry-run --json
json_assert "$OUT_FILE" 'sorted(d["sites_per_rule"]) == ["device-select", "module-device"]' \
  "two --rule options must select exactly those two rules"

# The full apply: the rest, with the first apply's backups kept.
expect_rc 0 apply --target "$T" --json
json_assert "$OUT_FILE" '"cache-clear" not in d["sites_per_rule"] and d["sites_per_rule"]' \
  "the full apply must patch the remaining rules only"
json_assert "$OUT_FILE" "[f['path'] for t in d['targets'] for f in t['files'] if f.get('backup') == 'refreshed'] == []" \
  "a second apply must not refresh a backup of a file it patched itself"
while IFS= read -r -d '' b; do
  src="${b%.backup_before_mps}"
  assert_same "$b" "$DEMO/${src#"$T"/}" "backup of ${src#"$T"/} is not the pristine original"
done < <(find "$T" -name '*.backup_before_mps' -print0)
json_assert "$T/.mps-patch-manifest.json" '[e for e in d["files"] if e["path"] == "contrib/model/pytorch_gru_demo.py"][0]["rules"] and sorted([e for e in d["files"] if e["path"] == "contrib/model/pytorch_gru_demo.py"][0]["rules"]) == ["cache-clear", "device-select"]' \
  "the manifest must record both rules applied to the GRU demo"
expect_rc 0 verify --no-probe --target "$T"

expect_rc 0 revert --target "$T"
assert_tree_same "$T" "$DEMO" "one revert after two applies did not restore the originals"
assert_no_backups "$T"
note "ok"
