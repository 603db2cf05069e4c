#!/usr/bin/env bash
# `cmake --install` into a staging prefix gives a tree that works from
# anywhere: bin/mps-patch, libexec/mps-patch/mps-probe (found by verify),
# the man page and the shell completions, the same as the binary prints.
# Needs the build directory holding the binary (ctest passes it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

BUILD="$(dirname "$MPS")"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  note "skipped: $MPS is not in a CMake build directory"
  note "ok"
  exit 0
fi
command -v cmake >/dev/null 2>&1 || fail "cmake is needed"
# The man page and completions are made by the default build; make sure.
cmake --build "$BUILD" --target mps-patch-share >"$WORK/build.log" 2>&1 ||
  fail "building the man page and completions failed: $(tail -n 20 "$WORK/build.log")"
STAGE="$WORK/stage"
cmake --install "$BUILD" --prefix "$STAGE" >"$WORK/install.log" 2>&1 ||
  fail "cmake --install failed: $(tail -n 20 "$WORK/install.log")"

BIN="$STAGE/bin/mps-patch"
assert_exists "$BIN" "no bin/mps-patch"
MAN="$(find "$STAGE" -path '*/man1/mps-patch.1')"
[[ -n "$MAN" ]] || fail "no man page installed"
assert_exists "$STAGE/share/bash-completion/completions/mps-patch" "no bash completion"
assert_exists "$STAGE/share/zsh/site-functions/_mps-patch" "no zsh completion"
assert_exists "$STAGE/share/fish/vendor_completions.d/mps-patch.fish" "no fish completion"
for sh in bash zsh fish; do
  "$BIN" completions "$sh" >"$WORK/$sh"
done
assert_same "$WORK/bash" "$STAGE/share/bash-completion/completions/mps-patch" "installed bash completion is stale"
assert_same "$WORK/zsh" "$STAGE/share/zsh/site-functions/_mps-patch" "installed zsh completion is stale"
assert_same "$WORK/fish" "$STAGE/share/fish/vendor_completions.d/mps-patch.fish" "installed fish completion is stale"
"$BIN" help --man >"$WORK/man"
assert_same "$WORK/man" "$MAN" "installed man page is stale"

# Moved elsewhere and run from another directory, without the source tree.
mv "$STAGE" "$WORK/elsewhere"
BIN="$WORK/elsewhere/bin/mps-patch"
mkdir -p "$WORK/cwd/pkg"
cp "$DEMO/contrib/model/pytorch_gru_demo.py" "$WORK/cwd/pkg/"
cd "$WORK/cwd"
"$BIN" --version >"$OUT_FILE" || fail "the installed binary does not run"
"$BIN" rules >"$OUT_FILE" || fail "installed: rules failed"
assert_grep '^device-select' "$OUT_FILE" "installed: rules lists no built-in rules"
"$BIN" apply --dry-run pkg >"$OUT_FILE" 2>"$ERR_FILE" || fail "installed: apply --dry-run failed"
assert_grep '^\+.*torch\.device\("mps"\)' "$OUT_FILE" "installed: the dry run shows no MPS branch"
"$BIN" test >"$OUT_FILE" || fail "installed: the rule tests fail"

# verify finds the probe in libexec/mps-patch/ (the real one when the build
# has it; otherwise a stand-in put where the install would).
PROBE="$WORK/elsewhere/libexec/mps-patch/mps-probe"
if [[ ! -x "$PROBE" ]]; then
  mkdir -p "$(dirname "$PROBE")"
  printf '#!/bin/sh\necho '"'"'{"schema": 1, "torch_version": "2.3.1", "mps_built": false, "mps_available": false, "cuda_available": false, "cuda_device_count": 0, "cuda_devices": [], "cpu_threads": 2, "checks": [], "bench": []}'"'"'\n' >"$PROBE"
  chmod +x "$PROBE"
  note "no mps-probe in this build: a stand-in was placed in libexec/mps-patch/"
fi
# (src/probe also installs a copy in bin/, which verify would take first.)
rm -f "$WORK/elsewhere/bin/mps-probe"
"$BIN" verify pkg --json >"$OUT_FILE" 2>"$ERR_FILE" || true
json_assert "$OUT_FILE" "d['capability']['probe'] == '$PROBE'" "verify did not run libexec/mps-patch/mps-probe"

if command -v man >/dev/null 2>&1; then
  MANWIDTH=80 man -l "$WORK/elsewhere/${MAN#"$STAGE"/}" >"$WORK/man.txt" 2>"$WORK/man.err" || fail "man cannot read the page: $(cat "$WORK/man.err")"
  assert_grep 'mps-patch apply' "$WORK/man.txt" "the rendered man page lacks the apply command"
fi
note "ok"
