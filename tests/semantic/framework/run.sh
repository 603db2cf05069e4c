#!/usr/bin/env bash
# Framework suite: patch a copy of fixtures/tslib-demo with mps-patch, then train
# and test original and patched side by side on simulated machines (tests/simmac).
#
# usage: tests/semantic/framework/run.sh MPS_PATCH_BINARY [--machines cpu,mac[,cuda]] [-v]
#        tests/semantic/framework/run.sh --reference [--machines ...] [-v]
#
# --reference judges the hand-written correct rewrite (reference.diff applied to
# a copy) instead of mps-patch's output: it proves the harness itself.
#
# Environment:
#   MPS_TEST_PYTHON       interpreter with torch and numpy (default /usr/bin/python3)
#   MPS_FRAMEWORK_KEEP=1  keep the scratch directory and print its path
#   MPS_SIMMAC_TORCH      torch release whose Mac simmac models, e.g. 2.4 (default: the installed one)
set -euo pipefail

usage() {
  echo "usage: $0 MPS_PATCH_BINARY|--reference [--machines cpu,mac[,cuda]] [-v]" >&2
  exit 2
}
[[ $# -ge 1 ]] || usage
bin=$1
shift
machines=cpu,mac
verbose=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --machines) [[ $# -ge 2 ]] || usage; machines=$2; shift 2 ;;
    --machines=*) machines=${1#--machines=}; shift ;;
    -v) verbose=(-v); shift ;;
    *) usage ;;
  esac
done
if [[ $bin != --reference ]]; then
  if [[ ! -x $bin ]]; then
    echo "run.sh: $bin is not an executable" >&2
    exit 2
  fi
  case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
fixture="$repo/fixtures/tslib-demo"
py=${MPS_TEST_PYTHON:-/usr/bin/python3}

if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "run.sh: $py cannot import torch and numpy; set MPS_TEST_PYTHON to an interpreter that can" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mps-framework.XXXXXX")
if [[ ${MPS_FRAMEWORK_KEEP:-0} == 1 ]]; then
  echo "scratch directory: $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

for copy in original patched; do
  cp -R "$fixture" "$tmp/$copy"
done
find "$tmp" -name __pycache__ -type d -prune -exec rm -rf {} +

if [[ $bin == --reference ]]; then
  if ! (cd "$tmp/patched" && patch -p3 --quiet --no-backup-if-mismatch) <"$here/reference.diff" >"$tmp/apply.log" 2>&1; then
    echo "FAIL reference.diff does not apply to fixtures/tslib-demo:"
    sed 's/^/       /' "$tmp/apply.log"
    echo "0 passed, 1 failed"
    exit 1
  fi
else
  set +e
  (cd "$tmp" && "$bin" apply --target "$tmp/patched" --quiet) >"$tmp/apply.log" 2>&1
  rc=$?
  set -e
  if [[ $rc -ne 0 ]]; then
    echo "FAIL mps-patch apply --target <copy> --quiet exited $rc:"
    sed 's/^/       /' "$tmp/apply.log"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi
if diff -rq "$tmp/original" "$tmp/patched" -x '*.backup_before_mps' -x '.mps-patch-manifest.json' >/dev/null; then
  echo "note: the patched copy is identical to the original"
fi

set +e
"$py" "$here/harness.py" --original "$tmp/original" --patched "$tmp/patched" \
  --work "$tmp/work" --machines "$machines" ${MPS_SIMMAC_TORCH:+--torch-version "$MPS_SIMMAC_TORCH"} "${verbose[@]}"
rc=$?
set -e
exit $rc
