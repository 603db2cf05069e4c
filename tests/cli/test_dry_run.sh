#!/usr/bin/env bash
# apply --dry-run writes nothing and prints a unified diff that is exactly the
# change a real apply makes; colour only when asked for.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
tree_sum "$T" >"$WORK/sum"

# Piped, NO_COLOR=1 (set by setup): a plain diff, nothing written.
expect_rc 0 apply --dry-run --target "$T"
cp "$OUT_FILE" "$WORK/plain.diff"
assert_tree_unchanged "$T" "$WORK/sum" "--dry-run changed the tree"
assert_no_backups "$T" "--dry-run wrote a backup or manifest"
assert_grep '^--- a/contrib/model/pytorch_gru_demo\.py$' "$WORK/plain.diff" "no '--- a/' header"
assert_grep '^\+\+\+ b/contrib/model/pytorch_gru_demo\.py$' "$WORK/plain.diff" "no '+++ b/' header"
assert_grep '^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@' "$WORK/plain.diff" "no '@@' hunk header"
assert_grep '^\+.*torch\.device\("mps"\)' "$WORK/plain.diff" "the diff does not add an MPS branch"
assert_no_grep 'gbdt_demo\.py' "$WORK/plain.diff" "the diff mentions gbdt_demo.py"
assert_no_ansi "$WORK/plain.diff" "ANSI escapes in piped output with NO_COLOR=1"

# Piped without NO_COLOR, colour auto: still plain (not a terminal).
LAST_CMD="mps-patch apply --dry-run --target T (NO_COLOR unset)"
env -u NO_COLOR "$MPS" apply --dry-run --target "$T" >"$WORK/auto.diff" 2>"$ERR_FILE" || fail "dry run failed"
assert_no_ansi "$WORK/auto.diff" "ANSI escapes in piped output with --color auto"
assert_same "$WORK/auto.diff" "$WORK/plain.diff" "piped output depends on NO_COLOR"
expect_rc 0 apply --dry-run --color never --target "$T"
assert_no_ansi "$OUT_FILE" "ANSI escapes with --color never"

# --color always: escapes, even piped and with NO_COLOR set.
expect_rc 0 apply --dry-run --color always --target "$T"
grep -q $'\x1b\\[' "$OUT_FILE" || fail "--color always printed no ANSI escapes"
assert_tree_unchanged "$T" "$WORK/sum" "--dry-run --color always changed the tree"

# On a terminal, NO_COLOR=1 turns colour off (needs util-linux `script`).
if command -v script >/dev/null 2>&1; then
  NO_COLOR=1 script -qec "$(printf '%q ' "$MPS" apply --dry-run --target "$T")" /dev/null >"$WORK/tty.out" 2>&1 </dev/null ||
    fail "dry run on a pseudo-terminal failed: $(head -c 300 "$WORK/tty.out")"
  assert_grep '^--- a/' "$WORK/tty.out" "no diff on a pseudo-terminal"
  assert_no_ansi "$WORK/tty.out" "ANSI escapes on a terminal with NO_COLOR=1"
fi

# --json --dry-run: valid JSON with each file's diff; still nothing written.
expect_rc 0 apply --dry-run --json --target "$T"
json_assert "$OUT_FILE" 'd["dry_run"] and not d["written"] and d["files_written"] == 0' \
  "--dry-run --json claims a write"
json_assert "$OUT_FILE" 'all(f["diff"].startswith("--- a/" + f["path"]) for t in d["targets"] for f in t["files"] if f["status"] == "would-patch")' \
  "--dry-run --json lacks a diff per patched file"
assert_tree_unchanged "$T" "$WORK/sum" "--dry-run --json changed the tree"

# The printed diff is the real change: patch(1) it onto one copy, apply another.
if command -v patch >/dev/null 2>&1; then
  A="$WORK/a/qlib"
  copy_demo "$A"
  (cd "$A" && patch -p1 -s --no-backup-if-mismatch <"$WORK/plain.diff") || fail "the dry-run diff does not apply with patch -p1"
  expect_rc 0 apply --target "$T" --quiet
  diff -r -x '*.backup_before_mps' -x '.mps-patch-manifest.json' "$A" "$T" >/dev/null ||
    fail "the dry-run diff differs from what apply writes"
fi
note "ok"
