#!/usr/bin/env bash
# Every command's JSON, as one document (--json) and as a stream
# (--json=stream), errors included, matches docs/json-schema.json; the schema
# rejects what it does not document; docs/json.md names every field.
# Needs Debian's /usr/bin/python3 with python3-jsonschema (.ci/install-deps).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

SYS_PY=/usr/bin/python3
"$SYS_PY" -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema is needed: bash .ci/install-deps"
SCHEMA="$REPO/docs/json-schema.json"
V="$REPO/tests/cli/validate_json.py"
"$SYS_PY" "$V" "$SCHEMA" docs "$REPO/docs/json.md" || fail "docs/json.md does not name every field of the schema"

n=0
# keep RC ARGS...: run with --json, then with --json=stream, both expecting RC;
# for commands that change files, run each form on its own copy (see twin).
keep() {
  local want="$1"
  shift
  n=$((n + 1))
  expect_rc "$want" "$@" --json
  cp "$OUT_FILE" "$WORK/doc.$n.json"
  expect_rc "$want" --json=stream "$@"
  cp "$OUT_FILE" "$WORK/stream.$n.jsonl"
}
# twin RC CMD...: like keep, with ONE replaced by copy A for --json and copy B for the stream.
twin() {
  local want="$1"
  shift
  n=$((n + 1))
  expect_rc "$want" $(sed "s|@T@|$A|g" <<<"$*") --json
  cp "$OUT_FILE" "$WORK/doc.$n.json"
  expect_rc "$want" $(sed "s|@T@|$B|g" <<<"$*") --json=stream
  cp "$OUT_FILE" "$WORK/stream.$n.jsonl"
}

A="$WORK/a/qlib"
B="$WORK/b/qlib"
copy_demo "$A"
copy_demo "$B"

# A stand-in mps-probe printing a report, as the LibTorch helper would.
cat >"$WORK/fake-probe" <<'SH'
#!/bin/sh
cat <<'JSON'
{"schema": 1, "torch_version": "2.3.1", "mps_built": true, "mps_available": true,
 "cuda_available": false, "cuda_device_count": 0, "cuda_devices": [], "cpu_threads": 8,
 "checks": [{"device": "cpu", "ok": true, "max_abs_error": 0.0, "error": ""},
            {"device": "mps", "ok": true, "max_abs_error": 1e-6, "error": ""}],
 "bench": []}
JSON
SH
chmod +x "$WORK/fake-probe"

keep 0 rules
keep 0 test --rule cache-clear
keep 1 scan "$A"
keep 1 scan "$A/contrib/model/pytorch_gru_demo.py" --rule device-select
keep 1 verify --no-probe --target "$A"
keep 1 verify --target "$A" --probe "$WORK/fake-probe" --python "$PY"
keep 1 verify --target "$A" --probe "$WORK/no-such-probe"
keep 0 apply --dry-run --target "$A"
keep 1 apply --check --target "$A"
keep 1 apply --check --diff "$A"
twin 0 apply --target @T@
twin 0 apply --target @T@
keep 0 verify --no-probe --target "$A"
keep 0 scan "$A"
# One file edited since it was patched (refused), one put back by hand with
# its backup left (cleaned), one put back by hand and its backup deleted (already).
for t in "$A" "$B"; do
  printf '# edited\n' >>"$t/contrib/model/pytorch_gru_demo.py"
  cp "$t/contrib/model/pytorch_lstm_demo.py.backup_before_mps" "$t/contrib/model/pytorch_lstm_demo.py"
  mv "$t/contrib/model/pytorch_gats_demo.py.backup_before_mps" "$t/contrib/model/pytorch_gats_demo.py"
done
twin 2 revert --target @T@
twin 0 revert --target @T@ --force
twin 0 revert --target @T@

# Refused and not-written files.
U="$WORK/u"
copy_bytes unparsable.py "$U"
copy_bytes tabs_model.py "$U"
keep 2 apply --target "$U"

# A failing rule test.
R="$WORK/rules"
mkdir -p "$R/tests"
cat >"$R/sync.toml" <<'TOML'
id = "cuda-sync"
summary = "torch.cuda.synchronize() -> also MPS"
language = "python"
files = ["**/*.py"]
pattern = "torch.cuda.synchronize()"
statement = true
replacement = '''
if torch.cuda.is_available():
    torch.cuda.synchronize()
'''
[aware]
pattern = "torch.mps.synchronize()"
TOML
cat >"$R/tests/cuda-sync.toml" <<'TOML'
[[rewrite]]
name = "expects what the rule does not write"
before = '''
torch.cuda.synchronize()
'''
after = '''
torch.mps.synchronize()
'''
TOML
keep 1 test --patches "$R"

# Errors: a mistyped command line (no command known yet), a bad target, a bad rule file.
keep 2 aply --target "$A"
keep 2 apply --dry --target "$A"
keep 2 apply --target "$WORK/no/such/dir"
mkdir -p "$WORK/badrules"
printf 'id = "x"\nsummary = "s"\n' >"$WORK/badrules/x.toml"
keep 2 rules --patches "$WORK/badrules"

for i in $(seq 1 "$n"); do
  "$SYS_PY" "$V" "$SCHEMA" doc "$WORK/doc.$i.json" >"$WORK/v.out" 2>&1 ||
    fail "document $i does not match the schema: $(head -c 1500 "$WORK/v.out")"$'\n'"$(head -c 400 "$WORK/doc.$i.json")"
  "$SYS_PY" "$V" "$SCHEMA" stream "$WORK/stream.$i.jsonl" >"$WORK/v.out" 2>&1 ||
    fail "stream $i does not match the schema: $(head -c 1500 "$WORK/v.out")"
done

# What was covered: every status word and every stream type appeared.
"$SYS_PY" - "$WORK" "$n" <<'PY' || fail "the runs above did not cover every status and stream type"
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
seen = set()
for i in range(1, n + 1):
    for line in open("%s/stream.%d.jsonl" % (work, i), encoding="utf-8"):
        o = json.loads(line)
        seen.add((o["command"], o["type"], o.get("status")))
want = {("apply", "file", s) for s in ("would-patch", "patched", "not-written", "already", "refused")}
want |= {("revert", "file", s) for s in ("restored", "already", "refused", "cleaned")}
want |= {("verify", "file", s) for s in ("patched", "not-patched")}
want |= {("scan", t, None) for t in ("site", "aware")} | {("rules", "rule", None), ("test", "failure", None)}
want |= {(None, "error", None), ("apply", "error", None), ("rules", "error", None)}
missing = want - seen
if missing:
    print(sorted(missing, key=str))
    sys.exit(1)
PY

# The schema is strict: an undocumented field, a missing one, or a wrong
# status word does not validate.
"$SYS_PY" - "$SCHEMA" "$WORK/doc.1.json" "$WORK/doc.11.json" <<'PY' || fail "the schema accepts what it does not document"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
rules, apply = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
assert v.is_valid(rules) and v.is_valid(apply)
bad = []
x = json.loads(json.dumps(rules)); x["rules"][0]["undocumented"] = 1; bad.append(x)
x = json.loads(json.dumps(rules)); del x["schema"]; bad.append(x)
x = json.loads(json.dumps(apply)); x["targets"][0]["files"][0]["status"] = "blocked"; bad.append(x)
x = json.loads(json.dumps(apply)); x["schema"] = 2; bad.append(x)
sys.exit(0 if not any(v.is_valid(b) for b in bad) else 1)
PY
note "ok ($n commands, each as a document and a stream)"
