#!/usr/bin/env bash
# Workflow configs (fixtures/configs): apply sets GPU null/~/empty to 0 and caps
# n_jobs in model kwargs, changing nothing else; the files still load as YAML
# (checked with PyYAML: /usr/bin/python3 with Debian's python3-yaml); verify
# passes and notes the CPU config; revert is byte-identical; --n-jobs sets the cap.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

SRC="$REPO/fixtures/configs"
CHECK=(/usr/bin/python3 "$REPO/tests/cli/check_yaml_configs.py")
/usr/bin/python3 -c 'import yaml' 2>/dev/null || fail "PyYAML is needed: apt-get install python3-yaml"

T="$WORK/configs"
cp -R "$SRC" "$T"
chmod -R u+w "$T"
tree_sum "$T" >"$WORK/sum_orig"
GRU="benchmarks/GRU/workflow_config_gru_Alpha360.yml"
MLP="benchmarks/MLP/workflow_config_mlp_Alpha158.yaml"
TCN="benchmarks/TCN/workflow_config_tcn_Alpha158.yaml"
# The fixtures themselves: a CRLF file, an alias to a model anchor, a CPU config.
grep -q $'\r$' "$T/$GRU" || fail "$GRU lost its CRLF line endings"
grep -q '^    model: \*tcn_model' "$T/$TCN" || fail "$TCN no longer refers to its model by an alias"

# What PyYAML says must change, per file, with the cap at 4.
"${CHECK[@]}" expect "$T" 4 >"$WORK/expected"
[[ $(wc -l <"$WORK/expected") -ge 5 ]] || fail "the fixtures hold too few configs to change: $(cat "$WORK/expected")"

# Before: verify lists exactly those files as not patched, with as many sites.
expect_rc 1 verify --no-probe --n-jobs 4 --target "$T" --json
json_ok "$OUT_FILE"
json_get "$OUT_FILE" '"\n".join(sorted("%s %d" % (f["path"], len(f["unpatched"])) for t in d["targets"] for f in t["files"] if f["unpatched"]))' \
  >"$WORK/verify_sites"
diff -u "$WORK/expected" "$WORK/verify_sites" >&2 || fail "verify's unpatched configs differ from what PyYAML says"

# apply with the cap at 4: only the values change, every config still loads.
expect_rc 0 apply --n-jobs 4 --target "$T"
"${CHECK[@]}" check "$SRC" "$T" 4 >"$WORK/check" || fail "after apply: $(cat "$WORK/check")"
while read -r rel _; do
  assert_same "$T/$rel.backup_before_mps" "$SRC/$rel" "the backup of $rel is not the original"
done <"$WORK/expected"
for rel in "$MLP" benchmarks/LightGBM/workflow_config_lightgbm_Alpha158.yaml README.md; do
  assert_same "$T/$rel" "$SRC/$rel" "$rel has nothing to change but changed"
  assert_missing "$T/$rel.backup_before_mps" "$rel got a backup"
done
grep -q $'^      GPU: 0\r$' "$T/$GRU" || fail "$GRU: GPU: ~ did not become 0 with its CRLF kept"
grep -q '^        GPU: 0$' "$T/$TCN" || fail "$TCN: the empty GPU at the model anchor did not become 0"
grep -q '^    model: \*tcn_model$' "$T/$TCN" || fail "$TCN: the alias changed"
# Unrelated n_jobs (the handler's, the dataset's) keep their 20.
assert_grep '^    n_jobs: 20   # expression cache workers' "$T/benchmarks/LSTM/workflow_config_lstm_Alpha158.yaml"
assert_grep '^            n_jobs: 20$' "$T/benchmarks/LSTM/workflow_config_lstm_Alpha158.yaml"

# verify passes, and says that the CPU config's model will not use MPS.
expect_rc 0 verify --no-probe --n-jobs 4 --target "$T" --json
json_assert "$OUT_FILE" 'd["patched"] is True and d["unpatched_sites"] == 0 and d["attention"] == 0' \
  "verify after apply must pass"
cpu_line="$(grep -n 'GPU: -1' "$T/$MLP" | cut -d: -f1)"
json_assert "$OUT_FILE" "[a['line'] for t in d['targets'] for f in t['files'] if f['path'] == '$MLP' for a in f['attention'] if a['rule'] == 'config-cpu'] == [$cpu_line]" \
  "verify must note the CPU config at its GPU line"
json_assert "$OUT_FILE" "all(a['rule'] != 'config-cpu' for t in d['targets'] for f in t['files'] if f['path'] != '$MLP' for a in f['attention'])" \
  "only the CPU config gets the CPU note"
expect_rc 0 verify --no-probe --n-jobs 4 --target "$T"
assert_grep "$MLP:$cpu_line:.*will ask for the CPU.*\\[config-cpu\\]" "$OUT_FILE" "verify's text names the CPU config"
# A note is not a problem: --quiet leaves it out.
expect_rc 0 verify --no-probe --n-jobs 4 --target "$T" --quiet
assert_no_grep 'config-cpu' "$OUT_FILE" "verify --quiet printed a note"

# With MPS usable and the fallback unset, verify gives the fallback advice once.
cat >"$WORK/probe" <<'EOF'
#!/bin/sh
echo '{"schema": 1, "torch_version": "2.5.1", "mps_built": true, "mps_available": true, "cuda_available": false, "cuda_device_count": 0, "cuda_devices": [], "cpu_threads": 10, "checks": [], "bench": []}'
EOF
chmod +x "$WORK/probe"
run_env "PYTORCH_ENABLE_MPS_FALLBACK=" verify --n-jobs 4 --target "$T" --probe "$WORK/probe"
assert_rc 0 "verify with a probe that finds MPS"
[[ $(grep -c 'set PYTORCH_ENABLE_MPS_FALLBACK=1' "$OUT_FILE") == 1 ]] ||
  fail "the PYTORCH_ENABLE_MPS_FALLBACK advice must appear once"
run_env "PYTORCH_ENABLE_MPS_FALLBACK=1" verify --n-jobs 4 --target "$T" --probe "$WORK/probe"
assert_no_grep 'set PYTORCH_ENABLE_MPS_FALLBACK=1' "$OUT_FILE" "no fallback advice once it is set"

# A second apply changes nothing; a lower cap makes verify fail until applied.
tree_sum "$T" >"$WORK/sum_patched"
expect_rc 0 apply --n-jobs 4 --target "$T"
assert_tree_unchanged "$T" "$WORK/sum_patched" "a second apply changed the tree"
expect_rc 1 verify --no-probe --n-jobs 3 --target "$T"

# revert: byte-identical, no backups or manifest left.
expect_rc 0 revert --target "$T"
assert_tree_unchanged "$T" "$WORK/sum_orig" "revert is not byte-identical"
assert_no_backups "$T"

# --n-jobs sets the cap: 2 (the CPU config's 2 stays), and 0 (no worker processes).
for cap in 2 0; do
  expect_rc 0 apply --n-jobs "$cap" --target "$T"
  "${CHECK[@]}" check "$SRC" "$T" "$cap" >"$WORK/check" || fail "after apply --n-jobs $cap: $(cat "$WORK/check")"
  expect_rc 0 verify --no-probe --n-jobs "$cap" --target "$T"
  expect_rc 0 revert --target "$T"
  assert_tree_unchanged "$T" "$WORK/sum_orig" "revert after --n-jobs $cap"
done
expect_rc 2 apply --n-jobs many --target "$T"
assert_tree_unchanged "$T" "$WORK/sum_orig" "a bad --n-jobs wrote something"

# Without --n-jobs the cap is the machine's performance cores (macOS), else 4.
if [[ "$(uname)" != Darwin ]]; then
  expect_rc 0 apply --target "$T"
  "${CHECK[@]}" check "$SRC" "$T" 4 >"$WORK/check" || fail "default cap: $(cat "$WORK/check")"
  expect_rc 0 revert --target "$T"
fi

# scan lists the same sites and writes nothing.
expect_rc 1 scan --n-jobs 4 "$T" --json
total="$(awk '{n += $2} END {print n}' "$WORK/expected")"
json_assert "$OUT_FILE" "len(d['sites']) == $total" "scan must list the $total config sites"
assert_tree_unchanged "$T" "$WORK/sum_orig" "scan wrote something"
note "ok"
