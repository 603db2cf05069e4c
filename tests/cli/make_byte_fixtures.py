#!/usr/bin/env python3
"""Writes fixtures/bytes/*.py: small Qlib-shaped model files, one per
byte-preservation concern. The bytes are spelled out here so that the exact
line endings, BOM and non-UTF-8 bytes are reviewable; rerun after a change:

    python3 tests/cli/make_byte_fixtures.py [REPO]

test_bytes.sh checks that the committed fixtures still hold these bytes.
"""
import os
import sys

DEVICE = 'self.device = torch.device("cuda:%d" % (GPU) if torch.cuda.is_available() and GPU >= 0 else "cpu")'


def model(name, indent="    ", extra_comment=None):
    """The LF lines (no endings) of a minimal model class."""
    i = indent
    lines = [
        "import torch",
        "",
        "",
        f"class {name}:",
        f'{i}"""{name} model"""',
        "",
        f"{i}def __init__(self, d_feat=6, GPU=0):",
        f"{i}{i}self.d_feat = d_feat",
        f"{i}{i}{DEVICE}",
        f"{i}{i}self.fitted = False",
        "",
        f"{i}def fit(self, dataset):",
        f"{i}{i}self.fitted = True",
        f"{i}{i}torch.cuda.empty_cache()",
        f"{i}{i}return self",
    ]
    if extra_comment is not None:
        lines.insert(1, extra_comment)
    return lines


def join(lines, eol="\n", final=True):
    text = eol.join(lines)
    return text + eol if final else text


def build():
    out = {}
    out["crlf_model.py"] = join(model("CRLFModel"), "\r\n").encode()
    out["tabs_model.py"] = join(model("TabsModel", indent="\t")).encode()
    out["bom_model.py"] = b"\xef\xbb\xbf" + join(model("BOMModel")).encode()

    # A coding cookie keeps this valid Python; the comment's bytes are not UTF-8.
    latin = model("Latin1Model", extra_comment="#@LATIN1@")
    latin.insert(0, "# -*- coding: latin-1 -*-")
    out["latin1_model.py"] = join(latin).encode().replace(
        b"#@LATIN1@", b"# r\xe9sum\xe9 of the model \xff\xfe (Latin-1 bytes, not UTF-8)")

    # LF throughout, one CRLF line (a comment, away from every site), and the
    # file ends in a site with no newline after it.
    mixed = model("MixedModel")[:-1]
    mixed.insert(7, "        # this comment line ends in CRLF@CR@")
    out["mixed_model.py"] = join(mixed, final=False).replace("@CR@", "\r").encode()

    # A device site inside a file that does not parse (an unclosed call).
    bad = model("BrokenModel")
    bad.insert(10, "        self.broken = dict(d_feat=d_feat,")
    out["unparsable.py"] = join(bad).encode()

    # A cache call sharing its line with an `if`: it cannot be rewritten into
    # a multi-line block in place.
    one = model("OneLineModel")
    one[13] = "        if self.fitted: torch.cuda.empty_cache()"
    out["oneline_model.py"] = join(one).encode()
    return out


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    dest = os.path.join(repo, "fixtures", "bytes")
    os.makedirs(dest, exist_ok=True)
    for name, data in sorted(build().items()):
        with open(os.path.join(dest, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
