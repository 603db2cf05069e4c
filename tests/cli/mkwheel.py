#!/usr/bin/env python3
"""Writes a pure-Python wheel of a package tree, as pip expects one.

    mkwheel.py SRC_PARENT PACKAGE DISTRIBUTION VERSION OUT_DIR

SRC_PARENT/PACKAGE is the package (a directory); the wheel holds it with a
dist-info (METADATA, WHEEL, top_level.txt, RECORD with urlsafe-base64 sha256
hashes and sizes). Prints the wheel's path. Used by test_pip_lifecycle.sh and
bench/hook_overhead.py to build wheels of fixtures/qlib-demo without network
or build backend.
"""
import base64
import csv
import hashlib
import io
import os
import sys
import zipfile


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def main(argv):
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    src_parent, package, dist, version, out_dir = argv[1:]
    wheel_dist = dist.replace("-", "_")
    info = "%s-%s.dist-info" % (wheel_dist, version)
    files = []  # (archive name, bytes)
    top = os.path.join(src_parent, package)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".pyc"):
                continue
            path = os.path.join(dirpath, name)
            arc = os.path.relpath(path, src_parent).replace(os.sep, "/")
            with open(path, "rb") as f:
                files.append((arc, f.read()))
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: Qlib-shaped demo package\n\n" % (dist, version)
    wheel = "Wheel-Version: 1.0\nGenerator: mkwheel (mps-patch tests)\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files.append((info + "/METADATA", metadata.encode()))
    files.append((info + "/WHEEL", wheel.encode()))
    files.append((info + "/top_level.txt", (package + "\n").encode()))
    record = io.StringIO()
    w = csv.writer(record, lineterminator="\n")
    for arc, data in files:
        w.writerow([arc, record_hash(data), len(data)])
    w.writerow([info + "/RECORD", "", ""])
    files.append((info + "/RECORD", record.getvalue().encode()))

    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, "%s-%s-py3-none-any.whl" % (wheel_dist, version))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files:
            zi = zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
