#!/usr/bin/env bash
# Semantic suite: patch copies of fixtures/qlib-demo with mps-patch, then execute
# the original and patched trees side by side under simulated CUDA/MPS setups.
#
# usage: tests/semantic/run.sh MPS_PATCH_BINARY
#
# Environment:
#   MPS_TEST_PYTHON      interpreter with torch installed (default /usr/bin/python3)
#   MPS_SEMANTIC_KEEP=1  keep the scratch directory and print its path
#   MPS_SEMANTIC_TORCH   comma list of torches to run against (default "real,standin")
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 MPS_PATCH_BINARY" >&2
  exit 2
fi
bin=$1
if [[ ! -x $bin ]]; then
  echo "run.sh: $bin is not an executable" >&2
  exit 2
fi
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixture="$repo/fixtures/qlib-demo"
py=${MPS_TEST_PYTHON:-/usr/bin/python3}
torches=${MPS_SEMANTIC_TORCH:-real,standin}

if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "run.sh: $py cannot import torch; set MPS_TEST_PYTHON to an interpreter that can" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mps-semantic.XXXXXX")
if [[ ${MPS_SEMANTIC_KEEP:-0} == 1 ]]; then
  echo "scratch directory: $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

# Three copies: the original, one to patch as is (LF), one converted to CRLF and patched.
for copy in orig lf crlf; do
  mkdir -p "$tmp/$copy"
  cp -R "$fixture/qlib" "$tmp/$copy/qlib"
done
find "$tmp" -name __pycache__ -type d -prune -exec rm -rf {} +

"$py" - "$tmp/orig" "$tmp/crlf" <<'PY'
import os, sys

orig, crlf = sys.argv[1], sys.argv[2]
for dirpath, _, files in os.walk(orig):
    for name in files:
        if name.endswith(".py") and b"\r" in open(os.path.join(dirpath, name), "rb").read():
            sys.exit("run.sh: fixture %s is not LF-only" % os.path.join(dirpath, name))
converted = 0
for dirpath, _, files in os.walk(crlf):
    for name in files:
        if name.endswith(".py"):
            path = os.path.join(dirpath, name)
            data = open(path, "rb").read()
            open(path, "wb").write(data.replace(b"\n", b"\r\n"))
            converted += 1
if not converted:
    sys.exit("run.sh: no .py files found to convert")
PY

passed=0
failed=0
summary="$tmp/summary"
: >"$summary"

for copy in lf crlf; do
  label=$(echo "$copy" | tr '[:lower:]' '[:upper:]')
  set +e
  (cd "$tmp" && "$bin" apply --target "$tmp/$copy/qlib" --quiet) >"$tmp/apply-$copy.log" 2>&1
  rc=$?
  set -e
  if [[ $rc -ne 0 ]]; then
    echo "FAIL [$label] mps-patch apply --target $copy/qlib --quiet exited $rc:"
    sed 's/^/       /' "$tmp/apply-$copy.log"
    failed=$((failed + 1))
    continue
  fi
  passed=$((passed + 1))
  before=$(wc -l <"$summary")
  set +e
  "$py" "$here/check_semantics.py" --original "$tmp/orig" --patched "$tmp/$copy" \
    --label "$label" --torch "$torches" --summary "$summary"
  rc=$?
  set -e
  if [[ $rc -ne 0 && $(wc -l <"$summary") -eq $before ]]; then
    echo "FAIL [$label] check_semantics.py exited $rc without a summary"
    failed=$((failed + 1))
  fi
done

while read -r p f; do
  passed=$((passed + p))
  failed=$((failed + f))
done <"$summary"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
