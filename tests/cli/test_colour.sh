#!/usr/bin/env bash
# Colour follows the usual rules: --color always/never win; otherwise NO_COLOR
# turns it off, FORCE_COLOR / CLICOLOR_FORCE turn it on, TERM=dumb turns it
# off, and a terminal turns it on. Needs util-linux `script` for the terminal cases.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
F="$T/contrib/model/pytorch_gru_demo.py"

# colour ENV... -- expect yes|no, for stdout (a diff) piped
piped() {
  local want="$1" envs="$2"
  shift 2
  LAST_CMD="$envs mps-patch $*"
  set +e
  # shellcheck disable=SC2086
  env -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE -u TERM $envs "$MPS" "$@" >"$OUT_FILE" 2>"$ERR_FILE"
  RC=$?
  set -e
  [[ "$RC" == 0 ]] || fail "exit $RC"
  if [[ "$want" == yes ]]; then
    grep -q $'\x1b\\[' "$OUT_FILE" || fail "expected colour with [$envs] $*"
  else
    assert_no_ansi "$OUT_FILE" "expected no colour with [$envs] $*"
  fi
}
piped no "" apply -n "$F"
piped yes "FORCE_COLOR=1" apply -n "$F"
piped yes "CLICOLOR_FORCE=1" apply -n "$F"
piped no "FORCE_COLOR=0" apply -n "$F"
piped no "FORCE_COLOR=false CLICOLOR_FORCE=0" apply -n "$F"
piped no "NO_COLOR=1 FORCE_COLOR=1" apply -n "$F"
piped yes "TERM=dumb FORCE_COLOR=1" apply -n "$F"
piped no "FORCE_COLOR=1" apply -n "$F" --color never
piped yes "NO_COLOR=1" apply -n "$F" --color always
piped yes "NO_COLOR=1" --color=always apply -n "$F"

# Errors on stderr follow the same rules, judged on stderr.
LAST_CMD="FORCE_COLOR=1 mps-patch aply"
env -u NO_COLOR FORCE_COLOR=1 "$MPS" aply >"$OUT_FILE" 2>"$ERR_FILE" && fail "aply succeeded"
grep -q $'\x1b\\[' "$ERR_FILE" || fail "FORCE_COLOR=1: the error on stderr has no colour"
env -u NO_COLOR -u FORCE_COLOR "$MPS" aply >"$OUT_FILE" 2>"$ERR_FILE" && fail "aply succeeded"
assert_no_ansi "$ERR_FILE" "piped stderr got colour"

# On a terminal.
if ! command -v script >/dev/null 2>&1; then
  note "no util-linux script: terminal cases skipped"
  note "ok"
  exit 0
fi
tty_run() {  # WANT ENV... : run apply -n on a pseudo-terminal
  local want="$1"
  shift
  env -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE PAGER=cat "$@" \
    script -qec "$(printf '%q ' "$MPS" apply -n "$F")" /dev/null >"$WORK/tty.out" 2>&1 </dev/null ||
    fail "apply -n on a terminal failed: $(head -c 300 "$WORK/tty.out")"
  assert_grep '\+\+\+ b/' "$WORK/tty.out" "no diff on the terminal"
  if [[ "$want" == yes ]]; then
    grep -q $'\x1b\\[3' "$WORK/tty.out" || fail "expected colour on a terminal with [$*]"
  else
    ! grep -q $'\x1b\\[3' "$WORK/tty.out" || fail "expected no colour on a terminal with [$*]"
  fi
}
tty_run yes TERM=xterm
tty_run no TERM=dumb
tty_run no TERM=xterm NO_COLOR=1
tty_run yes TERM=dumb FORCE_COLOR=1
note "ok"
