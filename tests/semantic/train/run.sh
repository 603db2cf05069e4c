#!/usr/bin/env bash
# Training proof: patch a copy of fixtures/qlib-demo with mps-patch, then train and
# predict every demo model, original and patched, on simulated machines
# (tests/simmac): CPU and CUDA must give the original's predictions bit for bit,
# and on a Mac the patched models must train with everything on MPS.
#
# usage: tests/semantic/train/run.sh MPS_PATCH_BINARY [--machines cpu,mac[,cuda]]
#
#   machines: cpu, cuda (needs a real NVIDIA GPU and a CUDA torch), mac (the Mac of the
#             installed torch), mac@X.Y (the Mac of torch X.Y). Default: cpu,mac,mac@2.4
#
# Environment:
#   MPS_TEST_PYTHON   interpreter with torch and numpy (default /usr/bin/python3)
#   MPS_TRAIN_KEEP=1  keep the scratch directory (trees, runs, predictions) and print its path
set -euo pipefail

usage() { echo "usage: $0 MPS_PATCH_BINARY [--machines cpu,mac[,cuda]]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
bin=$1
shift
machines=cpu,mac,mac@2.4
while [[ $# -gt 0 ]]; do
  case $1 in
    --machines) [[ $# -ge 2 ]] || usage; machines=$2; shift 2 ;;
    --machines=*) machines=${1#--machines=}; shift ;;
    *) usage ;;
  esac
done
if [[ ! -x $bin ]]; then
  echo "run.sh: $bin is not an executable" >&2
  exit 2
fi
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
py=${MPS_TEST_PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "run.sh: $py cannot import torch and numpy; set MPS_TEST_PYTHON to an interpreter that can" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mps-train.XXXXXX")
if [[ ${MPS_TRAIN_KEEP:-0} == 1 ]]; then
  echo "scratch directory: $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

for copy in original patched; do
  mkdir -p "$tmp/$copy"
  cp -R "$repo/fixtures/qlib-demo/qlib" "$tmp/$copy/qlib"
done
find "$tmp" -name __pycache__ -type d -prune -exec rm -rf {} +

passed=0
failed=0
set +e
(cd "$tmp" && "$bin" apply --target "$tmp/patched/qlib" --quiet) >"$tmp/apply.log" 2>&1
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  echo "FAIL [train] mps-patch apply --target patched/qlib --quiet exited $rc:"
  sed 's/^/       /' "$tmp/apply.log"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "ok   [train] mps-patch apply --target patched/qlib --quiet"
passed=1

summary="$tmp/summary"
: >"$summary"
keep=()
[[ ${MPS_TRAIN_KEEP:-0} == 1 ]] && keep=(--keep "$tmp/runs")
set +e
"$py" "$here/check_training.py" --original "$tmp/original" --patched "$tmp/patched" --machines "$machines" \
  --summary "$summary" "${keep[@]}"
rc=$?
set -e
if [[ $rc -ne 0 && ! -s $summary ]]; then
  echo "FAIL [train] check_training.py exited $rc without a summary"
  failed=$((failed + 1))
fi
while read -r p f; do
  passed=$((passed + p))
  failed=$((failed + f))
done <"$summary"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
