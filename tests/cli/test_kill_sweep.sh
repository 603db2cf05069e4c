#!/usr/bin/env bash
# A crash at any point of `apply` or `revert` loses nothing. The store numbers
# every step that changes the disk (create, write, attr, fsync, rename,
# unlink, dirsync); MPS_PATCH_TRACE_STEPS=1 lists them and
# MPS_PATCH_CRASH_AFTER=N exits as a SIGKILL would right after step N.
#
# For every step N of a multi-file apply, and of the revert that follows it:
#   1. the command is stopped after step N (exit 137);
#   2. a plain `verify --no-probe` settles the interrupted run and says so; the
#      tree is then either the original or the fully patched one, with no
#      journal and no temporary file;
#   3. a plain `apply` then `revert` work (no --force) and give back the
#      original tree, byte for byte, modes included, with nothing left over.
# Then a real `kill -9` at a random moment of an apply and of a revert of a
# larger tree (200 more model files), each followed by the same recovery.
#
# Every N takes four to five runs of mps-patch, too long for each CI run on a
# shared machine: by default the sweep takes an evenly spaced sample of about
# MPS_KILL_SWEEP_POINTS (12) crash points, plus the first step of every kind
# in each command (about 20 in all); the sample's offset moves with the seed,
# so successive runs cover different steps. MPS_KILL_SWEEP_ALL=1 covers
# every N. MPS_KILL_SWEEP_SEED fixes the sample and the kill -9 moments (the
# seed used is printed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"
# The interpreter itself first on PATH: mps-patch starts python3 for its
# compile check, and a version-manager shim would multiply the runtime.
export PATH="$(dirname "$PY"):$PATH"
unset MPS_PATCH_CRASH_AFTER MPS_PATCH_FAULT MPS_PATCH_TRACE_STEPS

T="$WORK/qlib"
copy_demo "$T"
# A multi-file apply: two files in two directories of the demo package (the
# package root, where the journal and manifest live, is the demo's top).
FILES=(contrib/model/pytorch_gru_demo.py contrib/data/dataset_demo.py)
ARGS=()
for f in "${FILES[@]}"; do ARGS+=(--target "$T/$f"); done

tree_sum "$T" >"$WORK/sum_orig"
run_env "MPS_PATCH_TRACE_STEPS=1" apply "${ARGS[@]}"
assert_rc 0 "the traced apply"
grep '^mps-patch step ' "$ERR_FILE" >"$WORK/apply_steps" || true
tree_sum "$T" >"$WORK/sum_patched"
! cmp -s "$WORK/sum_orig" "$WORK/sum_patched" || fail "the traced apply changed nothing"
run_env "MPS_PATCH_TRACE_STEPS=1" revert "${ARGS[@]}"
assert_rc 0 "the traced revert"
grep '^mps-patch step ' "$ERR_FILE" >"$WORK/revert_steps" || true
assert_tree_unchanged "$T" "$WORK/sum_orig" "apply then revert did not give back the original tree"

n_apply="$(wc -l <"$WORK/apply_steps")"
n_revert="$(wc -l <"$WORK/revert_steps")"
[[ "$n_apply" -ge 30 ]] || fail "a two-file apply should take dozens of steps, the trace lists $n_apply"
[[ "$n_revert" -ge 20 ]] || fail "a two-file revert should take dozens of steps, the trace lists $n_revert"
# Every kind of step occurs in the sweep.
for kind in create write attr fsync rename unlink dirsync; do
  cat "$WORK/apply_steps" "$WORK/revert_steps" | awk '{print $4}' | grep -qx "$kind" ||
    fail "no $kind step in the traced apply and revert"
done
# The numbering is 1..n with no gap (a sweep over 1..n covers every step).
awk '{ if ($3 != NR) exit 1 }' "$WORK/apply_steps" || fail "apply steps are not numbered 1..$n_apply"
awk '{ if ($3 != NR) exit 1 }' "$WORK/revert_steps" || fail "revert steps are not numbered 1..$n_revert"

# state_is FILE: the tree now matches the tree_sum in FILE.
state_is() { tree_sum "$T" >"$WORK/.now" && cmp -s "$1" "$WORK/.now"; }

# recover CMD N: after a crash of CMD at step N, verify settles it; then a
# plain apply and revert end at the original tree.
recover() {
  local cmd="$1" n="$2" journal="$3"
  run_mps verify --no-probe "${ARGS[@]}"
  [[ "$RC" == 0 || "$RC" == 1 ]] || fail "verify after $cmd crashed at step $n: exit $RC"
  if [[ "$journal" == yes ]]; then
    assert_grep "recovered: an interrupted $cmd " "$ERR_FILE" \
      "verify must report the $cmd interrupted at step $n"
  fi
  if ! state_is "$WORK/sum_orig" && ! state_is "$WORK/sum_patched"; then
    tree_sum "$T" >"$WORK/.now"
    diff "$WORK/sum_orig" "$WORK/.now" | sed 's/^/  /' | head -n 20 >&2 || true
    fail "after $cmd crashed at step $n and verify, the tree is neither the original nor the patched one"
  fi
  run_mps apply "${ARGS[@]}"
  assert_rc 0 "apply after $cmd crashed at step $n"
  assert_tree_unchanged "$T" "$WORK/sum_patched" "apply after $cmd crashed at step $n did not give the patched tree"
  run_mps revert "${ARGS[@]}"
  assert_rc 0 "revert after $cmd crashed at step $n"
  assert_tree_unchanged "$T" "$WORK/sum_orig" "after $cmd crashed at step $n, apply and revert did not give back the original"
}

seed="${MPS_KILL_SWEEP_SEED:-$(date +%s)}"
RANDOM=$seed
note "seed: $seed (MPS_KILL_SWEEP_SEED=$seed reproduces the sample and the kill -9 moments)"

# sample STEPS_FILE SHARE: the step numbers to crash at, one a line.
sample() {
  local steps="$1" share="$2" total every
  total="$(wc -l <"$steps")"
  if [[ "${MPS_KILL_SWEEP_ALL:-0}" == 1 || "$share" -ge "$total" ]]; then
    seq 1 "$total"
    return
  fi
  every=$(((total + share - 1) / share))
  {
    seq $((1 + seed % every)) "$every" "$total"
    awk '!($4 in first) { first[$4] = $3; print $3 }' "$steps"
  } | sort -n -u
}
points="${MPS_KILL_SWEEP_POINTS:-12}"
sample "$WORK/apply_steps" $((points * n_apply / (n_apply + n_revert))) >"$WORK/apply_sample"
sample "$WORK/revert_steps" $((points * n_revert / (n_apply + n_revert))) >"$WORK/revert_sample"
# Every kind of step is among the crash points of each command.
for cmd in apply revert; do
  awk 'NR == FNR { want[$1] = 1; next } ($3 in want) { print $4 }' "$WORK/${cmd}_sample" "$WORK/${cmd}_steps" |
    sort -u >"$WORK/${cmd}_kinds_sampled"
  awk '{ print $4 }' "$WORK/${cmd}_steps" | sort -u | cmp -s - "$WORK/${cmd}_kinds_sampled" ||
    fail "the $cmd sample misses a kind of step"
done

covered=0
while read -r n; do
  run_env "MPS_PATCH_CRASH_AFTER=$n" apply "${ARGS[@]}"
  assert_rc 137 "apply stopped after step $n"
  journal=no
  [[ -e "$T/.mps-patch-journal.json" ]] && journal=yes
  recover apply "$n" "$journal"
  covered=$((covered + 1))
done <"$WORK/apply_sample"
while read -r n; do
  run_mps apply "${ARGS[@]}"
  assert_rc 0 "apply before the revert crash at step $n"
  run_env "MPS_PATCH_CRASH_AFTER=$n" revert "${ARGS[@]}"
  assert_rc 137 "revert stopped after step $n"
  journal=no
  [[ -e "$T/.mps-patch-journal.json" ]] && journal=yes
  recover revert "$n" "$journal"
  covered=$((covered + 1))
done <"$WORK/revert_sample"
[[ "$covered" == $(($(wc -l <"$WORK/apply_sample") + $(wc -l <"$WORK/revert_sample"))) ]] ||
  fail "covered $covered crash points, fewer than sampled"
note "crash points covered: $covered of $((n_apply + n_revert)) ($(wc -l <"$WORK/apply_sample") of $n_apply in apply: $(paste -sd, "$WORK/apply_sample"); $(wc -l <"$WORK/revert_sample") of $n_revert in revert: $(paste -sd, "$WORK/revert_sample"))"

# Real SIGKILLs at random moments of a larger run.
B="$WORK/big/qlib"
copy_demo "$B"
i=0
while [[ "$i" -lt 200 ]]; do
  for m in "$DEMO"/contrib/model/pytorch_*_demo.py; do
    [[ "$i" -lt 200 ]] || break
    cp "$m" "$B/contrib/model/copy_${i}_$(basename "$m")"
    i=$((i + 1))
  done
done
tree_sum "$B" >"$WORK/big_orig"
# How long a full apply and revert of the large tree take, in ms.
t0=$(date +%s%N)
run_mps apply --target "$B" --quiet
assert_rc 0 "apply of the large tree"
t1=$(date +%s%N)
run_mps revert --target "$B" --quiet
assert_rc 0 "revert of the large tree"
t2=$(date +%s%N)
assert_tree_unchanged "$B" "$WORK/big_orig" "apply and revert of the large tree"
apply_ms=$(((t1 - t0) / 1000000))
revert_ms=$(((t2 - t1) / 1000000))

# kill9 CMD MAX_MS: runs CMD on the large tree and SIGKILLs it after a random
# 0..MAX_MS ms, then recovers as above.
kills=0
kill9() {
  local cmd="$1" max="$2" ms pid
  ms=$((RANDOM % (max + 1)))
  "$MPS" "$cmd" --target "$B" --quiet >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  run_mps verify --no-probe --target "$B"
  [[ "$RC" == 0 || "$RC" == 1 ]] || fail "verify after kill -9 of $cmd at ${ms} ms: exit $RC"
  run_mps apply --target "$B" --quiet
  assert_rc 0 "apply after kill -9 of $cmd at ${ms} ms"
  run_mps revert --target "$B" --quiet
  assert_rc 0 "revert after kill -9 of $cmd at ${ms} ms"
  assert_tree_unchanged "$B" "$WORK/big_orig" "after kill -9 of $cmd at ${ms} ms, apply and revert did not give back the original"
  kills=$((kills + 1))
  note "kill -9 of $cmd at $ms ms (a full $cmd takes ~$max ms): recovered"
}
kill9 apply "$apply_ms"
run_mps apply --target "$B" --quiet
assert_rc 0 "apply before the revert is killed"
kill9 revert "$revert_ms"
note "ok: $covered crash points, $kills kill -9 at random moments"
