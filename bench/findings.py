"""What each tool reports on a tree, as {rule id: {file relative to the tree}},
and where mps-patch and ast-grep disagree."""
import json
import os
import re
import subprocess


def _run(argv, ok=(0, 1)):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return p


def _json(argv, ok=(0, 1)):
    return _run(argv, ok).stdout


def rule_ids(binary):
    return sorted(r["id"] for r in json.loads(_json([binary, "rules", "--json"], ok=(0,)))["rules"])


def mps_patch(binary, tree, has_scan):
    """Sites by rule: from `scan --json` when the binary has it, else from
    `verify --no-probe --json` (its `unpatched` sites: the same query matches
    after the rule's conditions, and unlike `apply --dry-run` it lists the sites
    of files that cannot be patched safely too)."""
    found = {}
    if has_scan:
        doc = json.loads(_json([binary, "scan", "--json", tree]))
        for s in doc["sites"]:
            found.setdefault(s["rule"], set()).add(s["path"])
        return found, "scan --json"
    doc = json.loads(_json([binary, "verify", "--no-probe", "--json", "--target", tree]))
    for t in doc["targets"]:
        for f in t["files"]:
            for u in f["unpatched"]:
                found.setdefault(u["rule"], set()).add(f["path"])
    return found, "verify --no-probe --json"


def ast_grep(sg, config, tree):
    """Sites by rule, and the files ast-grep did not read with the reason it
    gives (`invalidUtf8`: it reads UTF-8 only, where mps-patch reads any bytes)."""
    p = _run([sg, "scan", "--config", config, "--json=stream", "--inspect", "entity", tree], ok=(0,))
    found, unread = {}, {}
    for line in p.stdout.splitlines():
        m = json.loads(line)
        found.setdefault(m["ruleId"], set()).add(os.path.relpath(m["file"], tree))
    for line in p.stderr.decode(errors="replace").splitlines():
        m = re.match(r"sg: entity\|file\|(.*): skipped=(\w+)$", line)
        if m and m.group(2) != "emptyFile":
            unread[os.path.relpath(os.path.join(tree, m.group(1)), tree)] = m.group(2)
    return found, unread


def compare(ours, theirs, unread, shared):
    """[(rule, files ours, files theirs, only ours, only theirs, unread)] for
    each shared rule; `unread` are files only mps-patch reports because
    ast-grep did not read them, kept out of `only ours`."""
    rows = []
    for rule in shared:
        a, b = ours.get(rule, set()), theirs.get(rule, set())
        skipped = sorted(f for f in a - b if f in unread)
        rows.append((rule, len(a), len(b), sorted(a - b - set(skipped)), sorted(b - a), skipped))
    return rows
