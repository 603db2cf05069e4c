#!/usr/bin/env bash
# The man page comes from the same definitions as --help: every command and
# every option in the help is in it, and it renders without warnings.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

expect_rc 0 help --man
cp "$OUT_FILE" "$WORK/mps-patch.1"
assert_grep '^\.TH MPS\\-PATCH 1 ' "$WORK/mps-patch.1" "no .TH header"
version="$("$MPS" --version | cut -d' ' -f2)"
assert_grep "mps\\\\-patch ${version//./\\.}" "$WORK/mps-patch.1" "the page does not carry the version"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS 'EXIT STATUS' ENVIRONMENT FILES; do
  assert_grep "^\.SH $section\$" "$WORK/mps-patch.1" "no $section section"
done
# Every option any command's --help lists is in the page (roff writes - as \-).
for cmd in apply verify revert scan rules test completions help; do
  expect_rc 0 help "$cmd"
  assert_grep "^\.SS \"mps\\\\-patch $cmd " "$WORK/mps-patch.1" "the page lacks the $cmd command"
  while IFS= read -r opt; do
    roff="${opt//-/\\-}"
    grep -qF -- "$roff" "$WORK/mps-patch.1" || fail "the page lacks $opt (from $cmd --help)"
  done < <(grep -oE -- '--[a-z][a-z-]+' "$OUT_FILE" | sort -u)
done

if command -v groff >/dev/null 2>&1; then
  groff -man -Tutf8 -ww -z "$WORK/mps-patch.1" 2>"$WORK/warnings" || fail "groff cannot format the page"
  [[ ! -s "$WORK/warnings" ]] || fail "groff warns: $(head -n 5 "$WORK/warnings")"
  groff -man -Tascii "$WORK/mps-patch.1" 2>/dev/null | col -b >"$WORK/page.txt"
  assert_grep 'mps-patch apply \[OPTIONS\] \[PATH\.\.\.\]' "$WORK/page.txt" "the rendered page lacks apply's usage"
  assert_grep 'dry-run' "$WORK/page.txt" "the rendered page lacks --dry-run"
else
  note "groff not installed: the page was not rendered"
fi
note "ok"
