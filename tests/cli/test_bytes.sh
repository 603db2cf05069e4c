#!/usr/bin/env bash
# Byte preservation on fixtures/bytes: line endings, tabs, BOM, non-UTF-8
# bytes, a missing final newline; backups exact, with the original mode.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"
CHECK="$(dirname "$0")/check_bytes.py"
[[ -f "$CHECK" ]] || CHECK="$REPO/tests/cli/check_bytes.py"

# The fixtures themselves must still hold their special bytes (an editor or a
# checkout that normalised them would make this test prove nothing): they are
# exactly what make_byte_fixtures.py writes, and have the properties named.
GEN="$REPO/tests/cli/make_byte_fixtures.py"
if [[ -f "$GEN" ]]; then
  "$PY" "$GEN" "$WORK/gen"
  diff -r "$WORK/gen/fixtures/bytes" "$BYTES" >/dev/null ||
    fail "fixtures/bytes differs from what tests/cli/make_byte_fixtures.py writes (normalised line endings?)"
fi

py_fact() {  # FILE PYEXPR-over-b WHAT
  "$PY" -c 'import sys; b=open(sys.argv[1],"rb").read(); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" ||
    fail "$3"
}
py_fact "$BYTES/crlf_model.py" 'b.count(b"\n") > 5 and b.count(b"\n") == b.count(b"\r\n")' \
  "fixture crlf_model.py is not CRLF throughout"
py_fact "$BYTES/tabs_model.py" 'b"\n\t\tself.device" in b and b"\n    " not in b' \
  "fixture tabs_model.py is not tab-indented"
py_fact "$BYTES/bom_model.py" 'b.startswith(b"\xef\xbb\xbf")' "fixture bom_model.py lost its BOM"
py_fact "$BYTES/latin1_model.py" 'b"\xe9" in b and b"\xff" in b' "fixture latin1_model.py lost its Latin-1 bytes"
py_fact "$BYTES/mixed_model.py" 'b.count(b"\r\n") == 1 and not b.endswith(b"\n") and b.rstrip().endswith(b"torch.cuda.empty_cache()")' \
  "fixture mixed_model.py is not LF with one CRLF line and no final newline"

# patch_one NAME: apply to a 0640 copy; check bytes, backup, mode, idempotence, revert.
patch_one() {
  local name="$1" dir="$WORK/${1%.py}"
  local f="$dir/$1"
  copy_bytes "$name" "$dir"
  chmod 0640 "$f"
  expect_rc 0 apply --target "$dir" --json
  json_assert "$OUT_FILE" 'd["written"] and d["files_written"] == 1' "$name: apply did not write the file"
  json_assert "$OUT_FILE" 'sorted(d["sites_per_rule"].items()) == [("cache-clear", 1), ("device-select", 1)]' \
    "$name: expected one device-select and one cache-clear edit"
  assert_same "$f.backup_before_mps" "$BYTES/$name" "$name: backup is not the original byte for byte"
  assert_mode "$f.backup_before_mps" 640 "$name: backup does not keep the original mode"
  assert_mode "$f" 640 "$name: the patched file does not keep its mode"
  local msg
  msg="$("$PY" "$CHECK" "$BYTES/$name" "$f" 2>&1)" || fail "$name: $msg"
  # Keep the patched bytes for the concern-specific checks below.
  cp "$f" "$WORK/$name.patched"

  expect_rc 0 verify --no-probe --target "$dir"
  local before="$WORK/${name}.sum"
  tree_sum "$dir" >"$before"
  expect_rc 0 apply --target "$dir"
  assert_tree_unchanged "$dir" "$before" "$name: a second apply changed bytes"

  expect_rc 0 revert --target "$dir"
  assert_same "$f" "$BYTES/$name" "$name: revert did not restore the original bytes"
  assert_mode "$f" 640 "$name: revert did not restore the original mode"
  assert_no_backups "$dir" "$name: revert left a backup or the manifest"
}

for name in crlf_model.py tabs_model.py bom_model.py latin1_model.py mixed_model.py; do
  patch_one "$name"
done

# Concern by concern, on the patched bytes.
P="$WORK"
py_fact "$P/crlf_model.py.patched" 'b"\n" in b and b.count(b"\n") == b.count(b"\r\n")' \
  "crlf_model.py: the patched file has a bare LF"
py_fact "$P/tabs_model.py.patched" 'b"\n\t\t\tself.device = torch.device(\"mps\")" in b and b"\n " not in b' \
  "tabs_model.py: inserted lines are not indented with tabs alone"
py_fact "$P/bom_model.py.patched" 'b[:3] == b"\xef\xbb\xbf" and b.count(b"\xef\xbb\xbf") == 1' \
  "bom_model.py: the BOM is not kept as the first 3 bytes"
py_fact "$P/latin1_model.py.patched" 'b"r\xe9sum\xe9 of the model \xff\xfe" in b' \
  "latin1_model.py: the Latin-1 bytes were altered"
py_fact "$P/mixed_model.py.patched" 'b.count(b"\r\n") == 1 and b"# this comment line ends in CRLF\r\n" in b and not b.endswith(b"\n") and b.endswith(b"torch.mps.empty_cache()")' \
  "mixed_model.py: its one CRLF line or its missing final newline was not kept"

# A site sharing its line with other code (`if x: torch.cuda.empty_cache()`)
# cannot be rewritten into a block in place: the file is refused, untouched.
dir="$WORK/oneline"
copy_bytes oneline_model.py "$dir"
line="$(grep -n 'if self.fitted: torch.cuda.empty_cache()' "$dir/oneline_model.py" | cut -d: -f1)"
expect_rc 2 apply --target "$dir"
assert_grep "oneline_model\.py:$line:" "$ERR_FILE" "the refusal must name oneline_model.py and line $line"
assert_same "$dir/oneline_model.py" "$BYTES/oneline_model.py" "oneline_model.py was changed"
assert_no_backups "$dir" "a refused file must get no backup or manifest"
expect_rc 2 apply --target "$dir" --keep-going --json
json_assert "$OUT_FILE" '[f["status"] for t in d["targets"] for f in t["files"]] == ["refused"] and d["files_written"] == 0' \
  "with --keep-going oneline_model.py must still be reported refused and not written"
assert_same "$dir/oneline_model.py" "$BYTES/oneline_model.py" "oneline_model.py was changed by --keep-going"
assert_no_backups "$dir" "--keep-going wrote a backup or manifest for a refused file"
# verify stays honest about the sites left unpatched there.
expect_rc 1 verify --no-probe --target "$dir" --json
json_assert "$OUT_FILE" 'd["unpatched_sites"] == 2' "verify must still count oneline_model.py's two sites"
note "ok"
