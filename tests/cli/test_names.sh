#!/usr/bin/env bash
# File names that are not UTF-8, or hold control characters: JSON stays valid
# UTF-8 and gives the exact name back through Python's surrogateescape
# (docs/json.md); text output prints such names quoted and escaped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

D="$WORK/names"
mkdir -p "$D"
body=$'import torch\n\n\ndef free():\n    torch.cuda.empty_cache()\n'
latin1=$'caf\xe9_model.py'
newline=$'two\nlines.py'
printf '%s' "$body" >"$D/$latin1"
printf '%s' "$body" >"$D/$newline"
printf '%s' "$body" >"$D/plain_é.py"

check_json() {  # FILE: valid UTF-8 JSON whose paths name the files on disk
  "$PY" - "$1" "$D" <<'PY' || fail "JSON output does not give the file names back: $(head -c 600 "$1")"
import json, os, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")  # strict
names = set()
for line in text.splitlines() if text.lstrip().startswith('{"') and "\n{" in text else [text]:
    d = json.loads(line)
    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "path" and isinstance(v, str):
                    names.add(v)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(d)
on_disk = set(os.listdir(os.fsencode(sys.argv[2])))
got = {os.fsencode(n) for n in names}
want = {b"caf\xe9_model.py", b"two\nlines.py", "plain_é.py".encode()}
assert want <= got, (sorted(got), sorted(want))
assert want <= on_disk
assert "\\udce9" in text and "caf\\udce9_model.py" in text, "the byte must be written as \\udce9"
assert "plain_é.py" in text, "valid UTF-8 must be written as it is"
PY
}

expect_rc 1 scan "$D" --json
check_json "$OUT_FILE"
expect_rc 1 scan "$D" --json=stream
check_json "$OUT_FILE"
expect_rc 0 apply -n "$D" --json
check_json "$OUT_FILE"
expect_rc 1 verify --no-probe "$D" --json
check_json "$OUT_FILE"

# Text: quoted, with \x escapes, never the raw bytes or a raw newline.
expect_rc 1 scan "$D"
assert_grep '"[^"]*/caf\\xe9_model\.py":5:5: cache-clear' "$OUT_FILE" "scan must print the Latin-1 name escaped"
assert_grep '"[^"]*/two\\nlines\.py":5:5: cache-clear' "$OUT_FILE" "scan must print the newline escaped"
assert_grep 'plain_é\.py:5:5: cache-clear' "$OUT_FILE" "a UTF-8 name must be printed as it is"
! grep -q $'\xe9' "$OUT_FILE" || fail "scan printed a raw non-UTF-8 byte"
expect_rc 1 apply --check "$D"
assert_grep '^  would-patch +"caf\\xe9_model\.py": cache-clear' "$OUT_FILE" "apply must print the Latin-1 name escaped"
! grep -q $'\xe9' "$OUT_FILE" || fail "apply printed a raw non-UTF-8 byte"
expect_rc 0 apply -n "$D"
LC_ALL=C grep -q $'^+++ b/caf\xe9_model\\.py$' "$OUT_FILE" || fail "the diff must name the Latin-1 named file, byte for byte"
note "ok"
