#!/usr/bin/env bash
# --json output of every command parses, and its facts agree with each other
# and with the files on disk.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"

expect_rc 0 rules --json
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" 'len(d["rules"]) > 0 and all(set(r) >= {"id", "summary", "files", "origin"} for r in d["rules"])' \
  "rules --json must list rules with id, summary, files, origin"
json_assert "$OUT_FILE" '{"device-select", "cache-clear"} <= {r["id"] for r in d["rules"]}' \
  "rules --json lacks the device-select and cache-clear rules"
ids="$(json_get "$OUT_FILE" '" ".join(r["id"] for r in d["rules"])')"

expect_rc 1 verify --no-probe --target "$T" --json
json_ok "$OUT_FILE"
cp "$OUT_FILE" "$WORK/verify0.json"

expect_rc 0 apply --dry-run --target "$T" --json
json_ok "$OUT_FILE"
cp "$OUT_FILE" "$WORK/dry.json"

expect_rc 0 apply --target "$T" --json
json_ok "$OUT_FILE"
cp "$OUT_FILE" "$WORK/apply.json"
A="$WORK/apply.json"
json_assert "$A" 'd["command"] == "apply" and d["written"] and not d["dry_run"] and not d["blocked"]' \
  "apply --json: wrong command facts"
# sites_per_rule is exactly the tally of the listed edits.
json_assert "$A" '__import__("collections").Counter(e["rule"] for t in d["targets"] for f in t["files"] for e in f.get("edits", [])) == d["sites_per_rule"]' \
  "apply --json: sites_per_rule does not match the edits"
json_assert "$A" 'd["files_written"] == sum(1 for t in d["targets"] for f in t["files"] if f["status"] == "patched")' \
  "apply --json: files_written does not match the patched files"
json_assert "$A" 'all(f["backup"] == "new" for t in d["targets"] for f in t["files"])' \
  "apply --json: a first apply must make new backups"
for id in $(json_get "$A" '" ".join(d["sites_per_rule"])'); do
  [[ " $ids " == *" $id "* ]] || fail "apply --json names a rule '$id' that rules --json does not list"
done
# The dry run predicted the same edits, and verify had counted them as unpatched.
json_assert "$A" "d['sites_per_rule'] == $(json_get "$WORK/dry.json" 'd["sites_per_rule"]')" \
  "the dry run's sites_per_rule differs from the real apply's"
json_assert "$A" "sum(d['sites_per_rule'].values()) == $(json_get "$WORK/verify0.json" 'd["unpatched_sites"]')" \
  "apply's site count differs from verify's unpatched count"
json_assert "$A" "sorted([f['path'], e['line']] for t in d['targets'] for f in t['files'] for e in f['edits']) == $(json_get "$WORK/verify0.json" 'sorted([f["path"], s["line"]] for t in d["targets"] for f in t["files"] for s in f["unpatched"])')" \
  "apply's edit lines differ from the lines verify reported unpatched"
# Paths and the manifest match the disk.
json_assert "$A" "d['targets'][0]['root'] == '$T' and d['targets'][0]['manifest'] == '$T/.mps-patch-manifest.json'" \
  "apply --json: root or manifest path is wrong"
while IFS= read -r p; do
  assert_exists "$T/$p.backup_before_mps" "apply --json lists $p as patched but it has no backup"
done < <(json_get "$A" '"\n".join(f["path"] for t in d["targets"] for f in t["files"])')
json_assert "$T/.mps-patch-manifest.json" "sorted(e['path'] for e in d['files']) == $(json_get "$A" 'sorted(f["path"] for t in d["targets"] for f in t["files"])')" \
  "the manifest does not record exactly the patched files"
json_assert "$T/.mps-patch-manifest.json" "all(sorted(e['rules']) == sorted(set(r for r in $(json_get "$A" '{f["path"]: [e["rule"] for e in f["edits"]] for t in d["targets"] for f in t["files"]}')[e['path']])) for e in d['files'])" \
  "the manifest's rules per file differ from apply's edits"

expect_rc 0 verify --no-probe --target "$T" --json
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" 'd["command"] == "verify" and d["patched"] and d["unpatched_sites"] == 0' "verify --json after apply"
json_assert "$OUT_FILE" "d['aware_sites'] == sum($(json_get "$A" 'd["sites_per_rule"]').values())" \
  "verify counts a different number of MPS-aware sites than apply patched"
json_assert "$OUT_FILE" 'all(f["status"] == "patched" and not f["unpatched"] for t in d["targets"] for f in t["files"])' \
  "verify --json: every file must be patched"

# verify with the probe asked for (none is built here, or one is): still JSON,
# and the capability keys are present at the top level.
expect_rc 0 verify --target "$T" --json --probe "$WORK/no-such-probe" --python "$WORK/no-such-python"
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" 'all(k in d for k in ("mps_available", "cuda_available", "capability"))' \
  "verify --json with a probe: the capability keys are missing"

expect_rc 0 revert --target "$T" --json
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" "d['command'] == 'revert' and not d['refused'] and d['restored'] == $(json_get "$A" 'd["files_written"]')" \
  "revert --json must restore as many files as apply wrote"
json_assert "$OUT_FILE" 'all(f["status"] == "restored" for t in d["targets"] for f in t["files"])' \
  "revert --json: every file must be restored"
expect_rc 0 revert --target "$T" --json
json_ok "$OUT_FILE"
json_assert "$OUT_FILE" 'd["restored"] == 0 and not d["refused"]' "a second revert --json must restore nothing"
assert_tree_same "$T" "$DEMO"
note "ok"
