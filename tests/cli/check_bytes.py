#!/usr/bin/env python3
"""check_bytes.py ORIGINAL PATCHED

Checks that PATCHED differs from ORIGINAL only where a rule rewrote a site:

- every original line that is not a site line (a `torch.device("cuda...` or a
  `torch.cuda.empty_cache()` line) is kept byte for byte, line ending included,
  in order, and every site line was rewritten;
- each inserted block starts at the site's own indentation, indents further
  only with the character the site's indentation uses (tabs stay tabs), and
  ends every line with the site line's own ending (CRLF stays CRLF, LF stays
  LF; a site at the end of a file with no final newline stays without one);
- a byte-order mark stays first, and only there;
- the result compiles as Python (when the original does).

Exits 1 with a message on the first violation.
"""
import difflib
import re
import sys

SITE_MARKERS = (b'torch.device("cuda', b"torch.cuda.empty_cache()")
BOM = b"\xef\xbb\xbf"


def fail(msg):
    print(f"check_bytes: {msg}", file=sys.stderr)
    sys.exit(1)


def split_lines(data):
    """Lines split on LF only, each keeping its ending (so CRLF stays whole)."""
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


def ending(line):
    if line.endswith(b"\r\n"):
        return b"\r\n"
    if line.endswith(b"\n"):
        return b"\n"
    return b""


def indentation(line):
    return re.match(rb"[ \t]*", line).group(0)


def compiles(data, name):
    try:
        compile(data, name, "exec")
        return True
    except (SyntaxError, ValueError):
        return False


def main():
    if len(sys.argv) != 3:
        fail("usage: check_bytes.py ORIGINAL PATCHED")
    orig = open(sys.argv[1], "rb").read()
    new = open(sys.argv[2], "rb").read()
    if orig == new:
        fail("the file was not changed at all")

    if orig.startswith(BOM) != new.startswith(BOM):
        fail("the byte-order mark was added or dropped")
    if new.count(BOM) != orig.count(BOM):
        fail("a byte-order mark appears somewhere new")
    if orig.endswith(b"\n") != new.endswith(b"\n"):
        fail("the final newline was added or dropped")

    a, b = split_lines(orig), split_lines(new)
    sites = {i for i, line in enumerate(a) if any(m in line for m in SITE_MARKERS)}
    if not sites:
        fail("the original has no site lines; wrong fixture?")

    touched = set()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed = list(range(i1, i2))
        if not removed:
            fail(f"lines inserted after original line {i1} without rewriting a site: {b[j1:j2]!r}")
        for i in removed:
            if i not in sites:
                fail(f"original line {i + 1} is not a site but was changed: {a[i]!r}")
        touched.update(removed)
        if tag == "delete":
            fail(f"site line(s) {i1 + 1}-{i2} were deleted, not rewritten")
        site = a[i1]
        site_indent = indentation(site)
        site_eol = ending(a[i2 - 1])
        inner_eol = site_eol or b"\n"
        indent_chars = set(site_indent) or {ord(" ")}
        block = b[j1:j2]
        if indentation(block[0]) != site_indent:
            fail(f"block for line {i1 + 1} starts at indentation {indentation(block[0])!r}, "
                 f"the site's is {site_indent!r}")
        for k, line in enumerate(block):
            ind = indentation(line)
            if not ind.startswith(site_indent):
                fail(f"inserted line {line!r} is indented less than its site")
            extra = ind[len(site_indent):]
            if any(c not in indent_chars for c in extra):
                fail(f"inserted line {line!r} mixes indentation characters "
                     f"(site indentation {site_indent!r})")
            want = site_eol if k == len(block) - 1 else inner_eol
            if ending(line) != want:
                fail(f"inserted line {line!r} ends with {ending(line)!r}, expected {want!r}")
            if b"\r" in line[: len(line) - len(ending(line))]:
                fail(f"inserted line {line!r} holds a stray CR")

    missing = sites - touched
    if missing:
        fail(f"site line(s) {sorted(i + 1 for i in missing)} were not rewritten")

    if compiles(orig, sys.argv[1]) and not compiles(new, sys.argv[2]):
        fail("the patched file does not compile as Python")


if __name__ == "__main__":
    main()
