#!/usr/bin/env bash
# Self-tests of the simulated Mac (tests/simmac/test_simmac.py).
# usage: tests/simmac/run.sh [-v]
# MPS_TEST_PYTHON: interpreter with torch and numpy (default /usr/bin/python3)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=${MPS_TEST_PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "run.sh: $py cannot import torch and numpy; set MPS_TEST_PYTHON to an interpreter that can" >&2
  exit 2
fi
exec "$py" "$here/test_simmac.py" "$@"
