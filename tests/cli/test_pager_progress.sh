#!/usr/bin/env bash
# On a terminal, a long diff goes through $PAGER (not with --no-pager, PAGER=cat,
# a short diff, or piped output), and a long run shows a progress count on
# stderr (not with --quiet or --json, nor when stderr is not a terminal).
# Needs util-linux `script` for the pseudo-terminal.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"
command -v script >/dev/null 2>&1 || { note "no util-linux script: skipped"; note "ok"; exit 0; }

T="$WORK/qlib"
copy_demo "$T"
GRU="$T/contrib/model/pytorch_gru_demo.py"
PAGED="$WORK/paged"
# A pager that keeps what it was given and says it ran.
cat >"$WORK/pager" <<SH
#!/bin/sh
cat >"$PAGED"
echo PAGER-RAN
SH
chmod +x "$WORK/pager"

# on_tty ENV... -- ARGS...: mps-patch on a 20-row pseudo-terminal; output in tty.out
on_tty() {
  local envs=()
  while [[ "$1" != -- ]]; do envs+=("$1"); shift; done
  shift
  rm -f "$PAGED"
  # Its exit status is not the point here (verify exits 1 on an unpatched tree).
  env "${envs[@]}" script -qec "stty rows 20 cols 100; $(printf '%q ' "$MPS" "$@")" /dev/null >"$WORK/tty.out" 2>&1 </dev/null || true
  [[ -s "$WORK/tty.out" ]] || fail "mps-patch $* printed nothing on a terminal"
}

on_tty PAGER="$WORK/pager" -- apply --dry-run "$T"
assert_grep 'PAGER-RAN' "$WORK/tty.out" "a long diff on a terminal must go through \$PAGER"
assert_exists "$PAGED" "the pager got nothing"
assert_grep '^\+\+\+ b/contrib/model/pytorch_gru_demo\.py' "$PAGED" "the pager did not get the diff"
assert_no_grep 'Would patch' "$PAGED" "the summary went into the pager"
assert_grep 'Would patch' "$WORK/tty.out" "the summary must still be shown"

on_tty PAGER="$WORK/pager" -- apply --dry-run --no-pager "$T"
assert_no_grep 'PAGER-RAN' "$WORK/tty.out" "--no-pager still paged"
assert_grep '\+\+\+ b/contrib/model/pytorch_gru_demo\.py' "$WORK/tty.out" "--no-pager printed no diff"
on_tty PAGER=cat -- apply --dry-run "$T"
assert_grep '\+\+\+ b/contrib/model/pytorch_gru_demo\.py' "$WORK/tty.out" "PAGER=cat printed no diff"
# A diff that fits on the screen is printed as it is.
mkdir -p "$WORK/small"
printf 'import torch\n\n\ndef free():\n    torch.cuda.empty_cache()\n' >"$WORK/small/m.py"
on_tty PAGER="$WORK/pager" -- apply --dry-run "$WORK/small"
assert_no_grep 'PAGER-RAN' "$WORK/tty.out" "a short diff was paged"
# Piped: never paged.
run_env "PAGER=$WORK/pager" apply --dry-run "$T"
assert_no_grep 'PAGER-RAN' "$OUT_FILE" "piped output was paged"
assert_missing "$PAGED" "piped output was paged"
# A pager that cannot start: the diff is printed anyway.
on_tty PAGER="$WORK/no-such-pager" -- apply --dry-run "$T"
assert_grep '\+\+\+ b/contrib/model/pytorch_gru_demo\.py' "$WORK/tty.out" "a missing pager lost the diff"

# Progress: shown at once here (MPS_PATCH_PROGRESS_DELAY_MS=0), on stderr, erased after.
on_tty MPS_PATCH_PROGRESS_DELAY_MS=0 -- verify --no-probe "$T"
grep -q $'mps-patch: [0-9]*/[0-9]* files' "$WORK/tty.out" || fail "no progress count on a terminal"
grep -q $'\r *\r' "$WORK/tty.out" || fail "the progress line was not erased"
on_tty MPS_PATCH_PROGRESS_DELAY_MS=0 -- verify --no-probe --quiet "$T"
assert_no_grep '[0-9]+/[0-9]+ files' "$WORK/tty.out" "--quiet showed progress"
on_tty MPS_PATCH_PROGRESS_DELAY_MS=0 -- verify --no-probe --json "$T"
assert_no_grep '[0-9]+/[0-9]+ files' "$WORK/tty.out" "--json showed progress"
# The default delay (1 s) hides it for a run as short as this one.
on_tty -- scan "$GRU"
assert_no_grep '[0-9]+/[0-9]+ files' "$WORK/tty.out" "progress shown before the delay"
run_env "MPS_PATCH_PROGRESS_DELAY_MS=0" verify --no-probe "$T"
assert_no_grep '[0-9]+/[0-9]+ files' "$ERR_FILE" "progress on a stderr that is not a terminal"
note "ok"
