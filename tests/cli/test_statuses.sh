#!/usr/bin/env bash
# apply says what happened to each file, with the same words in text and JSON:
# would-patch, patched, not-written (and why), already, refused; a diff on
# stdout stays a pure diff (the rest goes to stderr); --check exits 1 while
# changes are pending and writes nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

status_of() {  # JSON-FILE PATH: the status apply --json gave PATH
  json_get "$1" "[f['status'] for t in d['targets'] for f in t['files'] if f['path'] == '$2'][0]"
}

# One file that cannot be patched safely next to one that can: nothing is
# written, and nothing claims to be patched.
U="$WORK/u"
copy_bytes tabs_model.py "$U"
copy_bytes unparsable.py "$U"
tree_sum "$U" >"$WORK/sum_u"
expect_rc 2 apply --target "$U"
assert_no_grep '(^| )patched ' "$OUT_FILE" "a blocked apply printed 'patched'"
assert_grep '^  not-written +tabs_model\.py' "$OUT_FILE" "the good file must be listed as not-written"
assert_grep 'refused +unparsable\.py:[0-9]+: cannot be patched safely' "$ERR_FILE" "the bad file must be refused, with its line"
assert_grep 'nothing was written' "$ERR_FILE" "the summary must say nothing was written"
expect_rc 2 apply --target "$U" --json
[[ "$(status_of "$OUT_FILE" tabs_model.py)" == not-written ]] || fail "JSON: tabs_model.py must be not-written"
[[ "$(status_of "$OUT_FILE" unparsable.py)" == refused ]] || fail "JSON: unparsable.py must be refused"
json_assert "$OUT_FILE" "'unparsable.py' in [f for t in d['targets'] for f in t['files'] if f['path'] == 'tabs_model.py'][0]['reason']" \
  "not-written must say which file stopped it"
json_assert "$OUT_FILE" 'not d["written"] and d["counts"] == {"would-patch": 0, "patched": 0, "not-written": 1, "already": 0, "refused": 1, "would-clean": 0, "cleaned": 0}' \
  "JSON counts of a blocked apply"
# A dry run of the same says the same, never 'patched'.
expect_rc 2 apply -n --target "$U" --json
[[ "$(status_of "$OUT_FILE" tabs_model.py)" == not-written ]] || fail "apply -n --json: tabs_model.py must be not-written"
expect_rc 2 apply --check --target "$U"
assert_tree_unchanged "$U" "$WORK/sum_u" "a refused apply wrote something"
# --keep-going: patched and refused.
expect_rc 2 apply --target "$U" --keep-going --json
[[ "$(status_of "$OUT_FILE" tabs_model.py)" == patched ]] || fail "--keep-going: tabs_model.py must be patched"
[[ "$(status_of "$OUT_FILE" unparsable.py)" == refused ]] || fail "--keep-going: unparsable.py must stay refused"
expect_rc 0 revert --target "$U"

# A clean tree: would-patch in a dry run (JSON and text), patched, then already.
T="$WORK/qlib"
copy_demo "$T"
tree_sum "$T" >"$WORK/sum"
GRU=contrib/model/pytorch_gru_demo.py
expect_rc 0 apply -n --target "$T" --json
[[ "$(status_of "$OUT_FILE" "$GRU")" == would-patch ]] || fail "apply -n --json must say would-patch"
json_assert "$OUT_FILE" 'all(f["status"] != "patched" for t in d["targets"] for f in t["files"])' "a dry run claims 'patched'"

# The dry run's stdout is only the diff; the summary is on stderr.
expect_rc 0 apply -n --target "$T"
assert_no_grep '^[^-+@ ]' "$OUT_FILE" "the dry run's stdout holds more than a diff"
assert_grep '^\+\+\+ b/' "$OUT_FILE" "no diff on stdout"
assert_grep '^Would patch [0-9]+ sites in [0-9]+ files' "$ERR_FILE" "the dry run's summary must be on stderr"
assert_grep 'mps-patch apply' "$ERR_FILE" "the heading must be on stderr with a diff"

# --check: the list of pending files on stdout, exit 1, nothing written.
expect_rc 1 apply --check --target "$T"
assert_grep "^  would-patch +$GRU: device-select" "$OUT_FILE" "--check must list pending files with their rules"
assert_grep '^Would patch ' "$OUT_FILE" "--check must print the summary"
assert_no_grep '^\+\+\+ ' "$OUT_FILE" "--check without --diff printed a diff"
expect_rc 1 apply --check --quiet --target "$T"
assert_grep "would-patch +$GRU" "$OUT_FILE" "--check --quiet must still list pending files"
# --check --diff: the diff on stdout, the summary on stderr.
expect_rc 1 apply --check --diff --target "$T"
assert_grep "^\+\+\+ b/$GRU\$" "$OUT_FILE" "--check --diff must print the diff"
assert_no_grep '^[^-+@ ]' "$OUT_FILE" "--check --diff's stdout holds more than a diff"
assert_grep '^Would patch ' "$ERR_FILE" "--check --diff must print the summary on stderr"
expect_rc 1 apply --check --target "$T" --json
json_assert "$OUT_FILE" 'd["check"] and not d["written"] and d["counts"]["would-patch"] > 0 and "diff" not in str(d)' \
  "apply --check --json"
assert_tree_unchanged "$T" "$WORK/sum" "--check wrote something"

# The real apply: patched, with the same words in text.
expect_rc 0 apply --target "$T"
assert_grep "^  patched +$GRU: device-select \(line [0-9]+\).*\[backup new\]" "$OUT_FILE" "text must say patched"
assert_grep '^Patched [0-9]+ sites in [0-9]+ files' "$OUT_FILE" "the summary of a real apply"
expect_rc 0 apply --check --target "$T"
assert_grep '^Already patched' "$OUT_FILE" "--check on a patched tree must say it is patched"
expect_rc 0 apply --target "$T"
assert_grep "^  already +$GRU\$" "$OUT_FILE" "a second apply must say already"
expect_rc 0 apply --target "$T" --json
[[ "$(status_of "$OUT_FILE" "$GRU")" == already ]] || fail "JSON: a second apply must say already"

# verify: one site reads as one site.
S="$WORK/one"
mkdir -p "$S"
printf 'import torch\n\n\ndef free():\n    torch.cuda.empty_cache()\n' >"$S/m.py"
expect_rc 0 apply --target "$S" --quiet
expect_rc 0 verify --no-probe --target "$S"
assert_grep 'the one site is MPS-aware' "$OUT_FILE" "verify's summary for a single site"
assert_no_grep 'all 1 site' "$OUT_FILE" "'all 1 site'"
expect_rc 0 verify --no-probe --target "$S" --json
json_assert "$OUT_FILE" '[f["status"] for t in d["targets"] for f in t["files"]] == ["patched"]' "verify --json status word"
note "ok"
