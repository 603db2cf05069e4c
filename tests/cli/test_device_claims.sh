#!/usr/bin/env bash
# verify's device claims agree between text and JSON: unknown when nothing that
# ran could tell (never "not available"), the probe's answer otherwise; the
# probe is found beside the binary or in ../libexec/mps-patch/ (installed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

S="$WORK/pkg"
mkdir -p "$S"
printf 'import torch\n\n\ndef free():\n    torch.cuda.empty_cache()\n' >"$S/m.py"
expect_rc 0 apply "$S" --quiet

fake_probe() {  # PATH MPS_AVAILABLE
  mkdir -p "$(dirname "$1")"
  cat >"$1" <<SH
#!/bin/sh
echo '{"schema": 1, "torch_version": "2.3.1", "mps_built": $2, "mps_available": $2, "cuda_available": false, "cuda_device_count": 0, "cuda_devices": [], "cpu_threads": 8, "checks": [], "bench": []}'
SH
  chmod +x "$1"
}

# Nothing answers: unknown, in text and JSON alike.
expect_rc 0 verify "$S" --probe "$WORK/no-such-probe"
assert_grep 'MPS available: unknown' "$OUT_FILE" "text must say MPS availability is unknown"
assert_no_grep 'MPS is not available' "$OUT_FILE" "text claims MPS is not available when nothing could tell"
assert_grep 'mps-probe: not run' "$OUT_FILE"
expect_rc 0 verify "$S" --probe "$WORK/no-such-probe" --json
json_assert "$OUT_FILE" 'd["mps_available"] is None and d["mps_usable"] is None and d["capability"]["mps_usable"] is None' \
  "JSON must say null (unknown), as the text does"
json_assert "$OUT_FILE" 'not any("not available" in a for a in d["capability"]["advice"])' "the advice claims MPS is not available"
expect_rc 1 verify "$S" --probe "$WORK/no-such-probe" --require-mps
expect_rc 1 verify "$S" --no-probe --require-mps

# The probe says no: not available, both ways.
fake_probe "$WORK/probe-no" false
expect_rc 0 verify "$S" --probe "$WORK/probe-no"
assert_grep 'MPS is not available on this machine' "$OUT_FILE"
assert_no_grep 'unknown' "$OUT_FILE"
expect_rc 0 verify "$S" --probe "$WORK/probe-no" --json
json_assert "$OUT_FILE" 'd["mps_available"] is False and d["mps_usable"] is False' "JSON must say false"
expect_rc 1 verify "$S" --probe "$WORK/probe-no" --require-mps

# The probe says yes.
fake_probe "$WORK/probe-yes" true
expect_rc 0 verify "$S" --probe "$WORK/probe-yes" --require-mps --json
json_assert "$OUT_FILE" 'd["mps_available"] is True and d["mps_usable"] is True' "JSON must say true"

# Where verify looks for mps-probe: beside the binary, then ../libexec/mps-patch/.
I="$WORK/prefix"
mkdir -p "$I/bin"
cp "$MPS" "$I/bin/mps-patch"
run_env "PATH=/usr/bin:/bin" verify "$S" --json
cp "$OUT_FILE" "$WORK/none.json"
"$I/bin/mps-patch" verify "$S" --json >"$OUT_FILE" 2>"$ERR_FILE" || true
if json_get "$OUT_FILE" 'd["capability"]["probe"]' | grep -q '^/'; then
  note "an mps-probe is on PATH here; the not-found message is not checked"
else
  json_assert "$OUT_FILE" '"libexec/mps-patch" in d["capability"]["probe_error"]' \
    "the not-found message must say where mps-probe was looked for"
fi
fake_probe "$I/libexec/mps-patch/mps-probe" true
"$I/bin/mps-patch" verify "$S" --json >"$OUT_FILE" 2>"$ERR_FILE" || fail "verify from the installed layout failed"
json_assert "$OUT_FILE" "d['capability']['probe'] == '$I/libexec/mps-patch/mps-probe' and d['mps_available'] is True" \
  "verify must run <prefix>/libexec/mps-patch/mps-probe"
fake_probe "$I/bin/mps-probe" false
"$I/bin/mps-patch" verify "$S" --json >"$OUT_FILE" 2>"$ERR_FILE" || fail "verify with a probe beside it failed"
json_assert "$OUT_FILE" "d['capability']['probe'] == '$I/bin/mps-probe'" "a probe beside the binary comes first"

# The hint for a missing qlib names no path that only works from the repository root.
cat >"$WORK/python-noqlib" <<SH
#!/bin/sh
exec "$PY" -I -S "\$@"
SH
chmod +x "$WORK/python-noqlib"
expect_rc 2 apply --python "$WORK/python-noqlib"
assert_grep 'qlib is not installed' "$ERR_FILE"
assert_no_grep 'target fixtures/' "$ERR_FILE" "the hint gives a path relative to the repository root"
note "ok"
