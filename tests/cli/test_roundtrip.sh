#!/usr/bin/env bash
# apply -> verify -> apply again -> revert -> revert again on a copy of the demo.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
MODEL="$T/contrib/model"

# An unpatched tree: verify exits 1 and names the remaining sites by line.
expect_rc 1 verify --no-probe --target "$T" --json
json_ok "$OUT_FILE"
cp "$OUT_FILE" "$WORK/verify_before.json"
json_assert "$OUT_FILE" 'd["patched"] is False and d["unpatched_sites"] > 0' \
  "verify --json on an unpatched tree reports unpatched sites"
# The GRU demo's device line and its cache call, found independently by grep.
want="$(grep -nE 'torch\.device\("cuda|torch\.cuda\.empty_cache\(\)' "$MODEL/pytorch_gru_demo.py" |
  cut -d: -f1 | sort -n | tr '\n' ' ')"
got="$(json_get "$OUT_FILE" '" ".join(str(l) for l in sorted(s["line"] for t in d["targets"] for f in t["files"] if f["path"] == "contrib/model/pytorch_gru_demo.py" for s in f["unpatched"])) + " "')"
[[ "$got" == "$want" ]] || fail "verify lists GRU sites at lines [$got], grep finds [$want]"
json_assert "$OUT_FILE" 'all(f["path"] != "contrib/model/gbdt_demo.py" for t in d["targets"] for f in t["files"])' \
  "gbdt_demo.py has no device code and must not be listed"

# apply: exit 0, files change, each patched file has a backup equal to the original.
tree_sum "$T" >"$WORK/sum_orig"
expect_rc 0 apply --target "$T"
patched=0
while IFS= read -r -d '' f; do
  rel="${f#"$T"/}"
  if cmp -s "$f" "$DEMO/$rel"; then
    assert_missing "$f.backup_before_mps" "an unchanged file got a backup"
  else
    patched=$((patched + 1))
    assert_same "$f.backup_before_mps" "$DEMO/$rel" "backup is not the original"
  fi
done < <(find "$T" -name '*.py' -print0)
[[ $patched -ge 5 ]] || fail "expected the demo's model files to be patched, only $patched changed"
assert_exists "$T/.mps-patch-manifest.json" "apply writes a manifest at the target root"
json_ok "$T/.mps-patch-manifest.json" "the manifest is not JSON"
assert_same "$MODEL/gbdt_demo.py" "$DEMO/contrib/model/gbdt_demo.py" "gbdt_demo.py (no device code) was changed"
assert_missing "$MODEL/gbdt_demo.py.backup_before_mps" "gbdt_demo.py got a backup"
assert_grep 'torch\.device\("mps"\)' "$MODEL/pytorch_gru_demo.py" "GRU demo does not select MPS after apply"

# verify: exit 0, nothing left.
expect_rc 0 verify --no-probe --target "$T" --json
json_assert "$OUT_FILE" 'd["patched"] is True and d["unpatched_sites"] == 0 and d["aware_sites"] > 0' \
  "verify after apply must report every site MPS-aware"

# A second apply changes no byte (manifest and backups included) and writes nothing.
tree_sum "$T" >"$WORK/sum_patched"
expect_rc 0 apply --target "$T" --json
json_assert "$OUT_FILE" 'd["files_written"] == 0 and not d["sites_per_rule"]' "second apply wants to write"
json_assert "$OUT_FILE" 'all(f["status"] == "already" for t in d["targets"] for f in t["files"])' \
  "second apply must find every file already patched"
assert_tree_unchanged "$T" "$WORK/sum_patched" "a second apply changed bytes in the tree"

# revert: every file back byte for byte, no backups or manifest left.
expect_rc 0 revert --target "$T"
assert_tree_same "$T" "$DEMO" "revert did not restore the demo exactly"
assert_no_backups "$T" "revert left backups or a manifest behind"
assert_tree_unchanged "$T" "$WORK/sum_orig" "revert did not restore every file's bytes and mode"

# A second revert is harmless.
expect_rc 0 revert --target "$T"
assert_tree_unchanged "$T" "$WORK/sum_orig" "a second revert changed the tree"

# And the tree reads as unpatched again, exactly as before.
expect_rc 1 verify --no-probe --target "$T" --json
json_assert "$OUT_FILE" "d['unpatched_sites'] == $(json_get "$WORK/verify_before.json" 'd["unpatched_sites"]')" \
  "after revert verify must count the same unpatched sites as before apply"
note "ok"
