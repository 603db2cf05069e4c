# Helpers for the CLI tests. Each test_*.sh is run as
#     bash test_X.sh /path/to/mps-patch /path/to/repo
# and starts with:
#     set -euo pipefail
#     source "$(dirname "$0")/lib.sh"
#     setup "$@"
# setup sets MPS (the binary), REPO, DEMO (the demo qlib package), BYTES
# (fixtures/bytes), PY (the python3 interpreter) and WORK (a fresh temporary
# directory, removed on exit).
#
# run_mps ARGS... runs the binary without stopping the test: its exit status
# is in RC, its stdout in $OUT_FILE, its stderr in $ERR_FILE.

TEST_NAME="$(basename "${0%.sh}")"

fail() {
  echo "FAIL [$TEST_NAME]: $*" >&2
  if [[ -n "${LAST_CMD:-}" ]]; then
    echo "  last command: $LAST_CMD (exit ${RC:-?})" >&2
    if [[ -s "${OUT_FILE:-}" ]]; then
      echo "  --- its stdout (last 20 lines):" >&2
      tail -n 20 "$OUT_FILE" | sed 's/^/  | /' >&2
    fi
    if [[ -s "${ERR_FILE:-}" ]]; then
      echo "  --- its stderr (last 20 lines):" >&2
      tail -n 20 "$ERR_FILE" | sed 's/^/  | /' >&2
    fi
  fi
  exit 1
}

note() { echo "[$TEST_NAME] $*"; }

setup() {
  [[ $# -ge 2 ]] || { echo "usage: bash $0 /path/to/mps-patch /path/to/repo" >&2; exit 2; }
  MPS="$(cd "$(dirname "$1")" && pwd)/$(basename -- "$1")"
  REPO="$(cd "$2" && pwd)"
  [[ -x "$MPS" ]] || { echo "FAIL [$TEST_NAME]: not an executable: $MPS" >&2; exit 2; }
  DEMO="$REPO/fixtures/qlib-demo/qlib"
  BYTES="$REPO/fixtures/bytes"
  [[ -d "$DEMO" ]] || { echo "FAIL [$TEST_NAME]: missing demo tree $DEMO" >&2; exit 2; }
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/mps-cli-$TEST_NAME.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  # The interpreter itself, not a version-manager shim: much faster to start.
  PY="$(python3 -c 'import sys; print(sys.executable)')"
  [[ -x "$PY" ]] || { echo "FAIL [$TEST_NAME]: python3 is needed" >&2; exit 2; }
  OUT_FILE="$WORK/.stdout"
  ERR_FILE="$WORK/.stderr"
  LAST_CMD=""
  RC=""
  # No colour unless a test asks for it, whatever the caller's terminal; and
  # no pager (it would wait for keys) where a test runs on a pseudo-terminal.
  export NO_COLOR=1
  export PAGER=cat
  unset FORCE_COLOR CLICOLOR_FORCE
  # Only the rollback test injects write failures, and only per command.
  unset MPS_PATCH_FAIL_WRITE_AFTER
}

# run_mps ARGS...: run mps-patch; never stops the test by itself.
run_mps() {
  LAST_CMD="mps-patch $*"
  set +e
  "$MPS" "$@" >"$OUT_FILE" 2>"$ERR_FILE"
  RC=$?
  set -e
}

# run_env "VAR=value ..." ARGS...: like run_mps with extra environment.
run_env() {
  local envs="$1"
  shift
  LAST_CMD="$envs mps-patch $*"
  set +e
  # shellcheck disable=SC2086
  env $envs "$MPS" "$@" >"$OUT_FILE" 2>"$ERR_FILE"
  RC=$?
  set -e
}

# expect_rc N ARGS...: run mps-patch and require exit status N.
expect_rc() {
  local want="$1"
  shift
  run_mps "$@"
  [[ "$RC" == "$want" ]] || fail "expected exit $want, got $RC"
}

assert_rc() { [[ "$RC" == "$1" ]] || fail "${2:-expected exit $1}: got exit $RC"; }

# copy_demo DEST: a private copy of the demo qlib package at DEST.
copy_demo() {
  mkdir -p "$(dirname "$1")"
  cp -R "$DEMO" "$1"
  chmod -R u+w "$1"
}

# copy_bytes NAME DESTDIR: a copy of fixtures/bytes/NAME in DESTDIR (created).
copy_bytes() {
  mkdir -p "$2"
  cp "$BYTES/$1" "$2/$1"
  chmod u+w "$2/$1"
}

# tree_sum DIR: every regular file under DIR (hidden ones too): its mode and
# path, then its sha256 and path, in a stable order.
tree_sum() {
  (
    cd "$1"
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r stat -c '%a %n'
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}

# assert_tree_unchanged DIR SUMFILE WHAT: DIR still matches an earlier tree_sum.
assert_tree_unchanged() {
  local now="$WORK/.tree_now"
  tree_sum "$1" >"$now"
  if ! cmp -s "$2" "$now"; then
    echo "  tree differences (< before, > after):" >&2
    diff "$2" "$now" | sed 's/^/  /' | head -n 30 >&2 || true
    fail "$3"
  fi
}

assert_same() {  # FILE1 FILE2 [WHAT]
  cmp -s "$1" "$2" || fail "${3:-files differ}: $1 vs $2 ($(cmp "$1" "$2" 2>&1 | head -n 1))"
}

assert_differs() {  # FILE1 FILE2 [WHAT]
  ! cmp -s "$1" "$2" || fail "${3:-files are identical}: $1 vs $2"
}

assert_tree_same() {  # DIR1 DIR2 [WHAT]
  local d
  d="$(diff -r "$1" "$2" 2>&1)" || fail "${3:-trees differ}: $1 vs $2"$'\n'"$(head -n 20 <<<"$d")"
}

assert_exists() { [[ -e "$1" ]] || fail "${2:-expected to exist}: $1"; }
assert_missing() { [[ ! -e "$1" ]] || fail "${2:-expected not to exist}: $1"; }

assert_mode() {  # FILE OCTAL [WHAT]
  local m
  m="$(stat -c %a "$1")"
  [[ "$m" == "$2" ]] || fail "${3:-wrong mode} on $1: expected $2, got $m"
}

assert_grep() {  # ERE FILE [WHAT]
  grep -Eq -- "$1" "$2" || fail "${3:-expected /$1/} in $(basename -- "$2")"
}

assert_no_grep() {  # ERE FILE [WHAT]
  ! grep -Eq -- "$1" "$2" || fail "${3:-did not expect /$1/} in $(basename -- "$2"): $(grep -Em1 -- "$1" "$2")"
}

# assert_no_backups DIR: no *.backup_before_mps and no manifest anywhere under DIR.
assert_no_backups() {
  local found
  found="$(find "$1" \( -name '*.backup_before_mps' -o -name '.mps-patch-manifest.json' \) -print)"
  [[ -z "$found" ]] || fail "${2:-expected no backups or manifest}: $found"
}

assert_no_ansi() {  # FILE [WHAT]
  ! grep -q $'\x1b' "$1" || fail "${2:-unexpected ANSI escapes} in $(basename -- "$1")"
}

# json_ok FILE: FILE parses as one JSON document.
json_ok() {
  "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null ||
    fail "${2:-output is not valid JSON}: $(head -c 300 "$1")"
}

# json_assert FILE PYEXPR WHAT: PYEXPR (over the parsed document `d`) is true.
json_assert() {
  local msg
  if ! msg="$("$PY" - "$1" "$2" <<'PY' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2], {"d": d})
if not ok:
    print("false:", sys.argv[2])
    sys.exit(1)
PY
  )"; then
    fail "$3 ($msg)"
  fi
}

# json_get FILE PYEXPR: print the value of PYEXPR over the parsed document `d`.
# Stops the test (from inside $(...) too, through set -e) when it cannot.
json_get() {
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v, sort_keys=True))' "$1" "$2" 2>/dev/null ||
    fail "cannot read $2 from $(basename -- "$1"): $(head -c 200 "$1")"
}
