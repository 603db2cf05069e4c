#!/usr/bin/env bash
# `mps-patch completions bash|zsh|fish`: the bash script loads in bash and
# completes commands, options (shared ones before and after the command) and
# option values; zsh and fish parse it (and fish completes) where installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

expect_rc 0 completions bash
cp "$OUT_FILE" "$WORK/mps-patch.bash"
bash -n "$WORK/mps-patch.bash" || fail "the bash completion script does not parse"

mkdir -p "$WORK/tree/sub"
touch "$WORK/tree/model.py"
# complete WORD...: what bash offers for the last word (the one being typed).
complete_bash() {
  (
    cd "$WORK/tree"
    bash --norc --noprofile -c '
      source "$1"; shift
      COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
      COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      _mps_patch
      printf "%s\n" "${COMPREPLY[@]}"' _ "$WORK/mps-patch.bash" "$@"
  )
}
offers() {  # WANT WORD...: the completions of WORD... include WANT
  local want="$1"
  shift
  complete_bash "$@" >"$WORK/offered"
  grep -qxF -- "$want" "$WORK/offered" || fail "completing [$*] does not offer '$want': $(tr '\n' ' ' <"$WORK/offered")"
}
lacks() {
  local unwanted="$1"
  shift
  complete_bash "$@" >"$WORK/offered"
  ! grep -qxF -- "$unwanted" "$WORK/offered" || fail "completing [$*] offers '$unwanted'"
}
offers apply mps-patch ap
offers verify mps-patch ""
offers completions mps-patch com
lacks apply mps-patch ve
offers --dry-run mps-patch apply --dr
offers --check mps-patch apply --ch
offers --keep-going mps-patch apply --
offers --json mps-patch --js
offers --target mps-patch --ta
offers verify mps-patch --json ver
offers verify mps-patch --target x ver
offers --require-mps mps-patch --json verify --req
lacks --dry-run mps-patch verify --dr
lacks --target mps-patch rules --ta
offers never mps-patch apply --color ""
offers always mps-patch --color al
offers stream mps-patch apply --json = ""
offers zsh mps-patch completions ""
offers revert mps-patch help re
offers model.py mps-patch apply --target mo
offers sub mps-patch scan su
offers model.py mps-patch apply mo

# The script a user sources registers itself for the command.
bash --norc --noprofile -c 'source "$1"; complete -p mps-patch' _ "$WORK/mps-patch.bash" >"$WORK/spec" ||
  fail "sourcing the bash script does not register a completion for mps-patch"
assert_grep '_mps_patch' "$WORK/spec"

expect_rc 0 completions zsh
cp "$OUT_FILE" "$WORK/_mps-patch"
assert_grep '^#compdef mps-patch' "$WORK/_mps-patch" "the zsh script must start with #compdef"
if command -v zsh >/dev/null 2>&1; then
  zsh -n "$WORK/_mps-patch" || fail "the zsh completion script does not parse"
  # Loads through compinit from a directory on $fpath, as zsh users install it.
  mkdir -p "$WORK/zfunc"
  cp "$WORK/_mps-patch" "$WORK/zfunc/_mps-patch"
  HOME="$WORK" zsh -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -d "$2"; print -r -- "${_comps[mps-patch]}"' \
    _ "$WORK/zfunc" "$WORK/zcompdump" >"$WORK/zcomp" 2>&1 || fail "zsh compinit failed: $(cat "$WORK/zcomp")"
  assert_grep '^_mps-patch$' "$WORK/zcomp" "compinit did not register _mps-patch for mps-patch"
else
  note "zsh not installed: zsh script only checked for #compdef"
fi

expect_rc 0 completions fish
cp "$OUT_FILE" "$WORK/mps-patch.fish"
if command -v fish >/dev/null 2>&1; then
  fish --no-execute "$WORK/mps-patch.fish" || fail "the fish completion script does not parse"
  fish_offers() {  # WANT LINE
    HOME="$WORK" fish --no-config -c "source $(printf '%q' "$WORK/mps-patch.fish"); complete -C '$2'" >"$WORK/fish.out" 2>&1 ||
      fail "fish failed: $(head -c 300 "$WORK/fish.out")"
    cut -f1 "$WORK/fish.out" | grep -qxF -- "$1" || fail "fish: completing '$2' does not offer '$1': $(cut -f1 "$WORK/fish.out" | tr '\n' ' ')"
  }
  fish_offers apply "mps-patch ap"
  fish_offers --dry-run "mps-patch apply --dr"
  fish_offers --json "mps-patch verify --js"
  fish_offers fish "mps-patch completions "
else
  note "fish not installed: fish script not checked"
fi
note "ok"
