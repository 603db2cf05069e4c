"""Validates mps-patch JSON output against docs/json-schema.json.

Run with Debian's /usr/bin/python3 (python3-jsonschema):
    validate_json.py SCHEMA doc FILE...     each FILE is one --json document
    validate_json.py SCHEMA stream FILE...  each line of each FILE is one object
Also checks that the schema and docs/json.md agree (`docs` mode):
    validate_json.py SCHEMA docs JSON_MD    every property is named in the doc
Exit 1 with the first problems printed.
"""
import json
import re
import sys

import jsonschema


def validator(schema, name):
    sub = dict(schema)
    sub["$ref"] = "#/$defs/" + name
    return jsonschema.Draft202012Validator(sub)


def explain(v, obj):
    # The branch of a oneOf whose type/command match says most about a failure.
    errs = sorted(v.iter_errors(obj), key=lambda e: e.path)
    out = []
    for e in errs:
        ctx = [c for c in (e.context or []) if "const" not in str(c.schema)]
        out.append(e.message[:300])
        out.extend("  " + c.message[:300] + " at " + "/".join(map(str, c.absolute_path)) for c in ctx[:5])
    return "\n".join(out[:12])


def properties(node, out):
    if isinstance(node, dict):
        for k, v in node.get("properties", {}).items():
            out.add(k)
        for v in node.values():
            properties(v, out)
    elif isinstance(node, list):
        for v in node:
            properties(v, out)


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    mode, files = sys.argv[2], sys.argv[3:]
    if mode == "docs":
        text = open(files[0], encoding="utf-8").read()
        named = set(re.findall(r"`([a-z_\-]+)`", text)) | set(re.findall(r"`error\.([a-z_]+)`", text))
        names = set()
        properties(schema, names)
        missing = sorted(n for n in names if n not in named)
        if missing:
            print("properties in the schema that docs/json.md does not name:", ", ".join(missing))
            return 1
        return 0
    v = validator(schema, "documents" if mode == "doc" else "stream")
    bad = 0
    for f in files:
        raw = open(f, "rb").read()
        try:
            text = raw.decode("utf-8")  # strict: the output must be UTF-8
        except UnicodeDecodeError as exc:
            print("%s: not UTF-8: %s" % (f, exc))
            bad += 1
            continue
        chunks = [text] if mode == "doc" else [l for l in text.split("\n") if l]
        if mode == "stream" and text.count("\n") != len(chunks):
            print("%s: a stream must be one object a line, each ending in a newline" % f)
            bad += 1
        if not chunks:
            print("%s: empty" % f)
            bad += 1
        for i, c in enumerate(chunks):
            try:
                obj = json.loads(c)
            except ValueError as exc:
                print("%s:%d: not JSON: %s: %s" % (f, i + 1, exc, c[:200]))
                bad += 1
                continue
            if not v.is_valid(obj):
                print("%s:%d: does not match the schema:\n%s" % (f, i + 1, explain(v, obj)))
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
