#!/usr/bin/python3
"""Checks workflow configs after `mps-patch apply`, independently of mps-patch:
PyYAML reads them the way Qlib does. Needs PyYAML (Debian python3-yaml), so
run it with /usr/bin/python3.

    check_yaml_configs.py expect ORIG_DIR CAP
        prints "path count" for each config with model kwargs to change
    check_yaml_configs.py check ORIG_DIR NEW_DIR CAP
        every config in NEW_DIR loads; it holds what ORIG_DIR's holds with
        GPU None -> 0 and n_jobs above CAP -> CAP in each model's kwargs and
        nothing else; and its bytes differ from the original's only in those
        values (an empty value gains " 0"). Exit 1 with the reasons otherwise.
"""
import copy
import difflib
import os
import re
import sys

import yaml

NULLS = {"", "null", "Null", "NULL", "~"}
TOKEN = re.compile(r"\s+|[{}\[\],:]|[^\s{}\[\],:]+")


def configs(root):
    for dirpath, dirnames, files in os.walk(root):
        dirnames.sort()
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                yield os.path.relpath(os.path.join(dirpath, name), root)


def load(path):
    with open(path, "rb") as f:
        return list(yaml.safe_load_all(f))


def model_kwargs(node, seen):
    """Every dict Qlib would pass to a model as kwargs: data[...]["model"]["kwargs"]."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, dict):
        model = node.get("model")
        if isinstance(model, dict) and isinstance(model.get("kwargs"), dict):
            yield model["kwargs"]
        for value in node.values():
            yield from model_kwargs(value, seen)
    elif isinstance(node, list):
        for value in node:
            yield from model_kwargs(value, seen)


def expected(docs, cap):
    """The documents as they must read after apply, and how many values change."""
    docs = copy.deepcopy(docs)  # keeps aliases shared, as in the file
    changes = 0
    seen = set()
    for kwargs in model_kwargs(docs, seen):
        if "GPU" in kwargs and kwargs["GPU"] is None:
            kwargs["GPU"] = 0
            changes += 1
        jobs = kwargs.get("n_jobs")
        if isinstance(jobs, int) and not isinstance(jobs, bool) and jobs > cap:
            kwargs["n_jobs"] = cap
            changes += 1
    return docs, changes


def byte_problems(old, new, cap):
    """Where the bytes differ in anything but a changed value."""
    problems = []
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    if len(old_lines) != len(new_lines):
        return ["%d lines became %d" % (len(old_lines), len(new_lines))]
    for number, (a, b) in enumerate(zip(old_lines, new_lines), 1):
        if a == b:
            continue
        ta, tb = TOKEN.findall(a), TOKEN.findall(b)
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
            was, now = "".join(ta[i1:i2]), "".join(tb[j1:j2])
            if op == "equal":
                continue
            ok = (op == "replace" and (was in NULLS and now == "0" or re.fullmatch(r"[0-9]+", was)
                                       and now == str(cap))) or \
                 (op == "insert" and now == " 0" and "".join(ta[:i1]).rstrip().endswith(":"))
            if not ok:
                problems.append("line %d: %r became %r" % (number, was, now))
    return problems


def main(argv):
    if argv[1] == "expect":
        root, cap = argv[2], int(argv[3])
        for rel in configs(root):
            _, changes = expected(load(os.path.join(root, rel)), cap)
            if changes:
                print(rel, changes)
        return 0
    orig, new, cap = argv[2], argv[3], int(argv[4])
    problems = []
    total = 0
    for rel in configs(orig):
        try:
            got = load(os.path.join(new, rel))
        except yaml.YAMLError as e:
            problems.append("%s: no longer loads: %s" % (rel, e))
            continue
        want, changes = expected(load(os.path.join(orig, rel)), cap)
        total += changes
        if got != want:
            problems.append("%s: loads as something else than the original with the expected changes" % rel)
        with open(os.path.join(orig, rel), "rb") as f:
            old_bytes = f.read().decode("utf-8")
        with open(os.path.join(new, rel), "rb") as f:
            new_bytes = f.read().decode("utf-8")
        problems += ["%s: %s" % (rel, p) for p in byte_problems(old_bytes, new_bytes, cap)]
        # The checks above must be able to see a change: a changed file needs changes.
        if (old_bytes != new_bytes) != (changes > 0):
            problems.append("%s: %d changes expected, the file %s" % (
                rel, changes, "changed" if old_bytes != new_bytes else "did not change"))
    for p in problems:
        print(p)
    print("%d values changed as expected" % total if not problems else "%d problems" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
