"""The trees the benchmark runs on, built from this repository and this
machine's packages into a work directory (never committed).

- qlib: the demo package copied into sub-packages plus filler modules, the
  size and shape of an installed Qlib (~230 files, ~2.6 MB, 30 with sites).
- large: Debian's Python 3.11 stdlib, /usr/lib/python3/dist-packages (torch,
  numpy, ...) and fixtures/, *.py only, in one tree.

fixtures/ is read as it was at FIXTURES_COMMIT (git archive), so fixtures
added later do not change the trees that before/after figures compare.
- sites-1k ... sites-8k: one file holding that many sites.
- big-5mb, big-20mb (and big-100mb with --huge): one file of that size with 2 sites.
"""
import io
import os
import shutil
import subprocess
import tarfile
import tempfile

import filler

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FIXTURES_COMMIT = "8ebdf54fbc72840a34cdfa11421ccc1dc9c593ab"
LARGE_SOURCES = [("python3.11", "/usr/lib/python3.11"),
                 ("dist-packages", "/usr/lib/python3/dist-packages"),
                 ("fixtures", None)]
# Bump when a builder changes, so a reused work directory is rebuilt.
VERSION = 1

QLIB_FILES, QLIB_BYTES, QLIB_COPIES = 230, 2_600_000, 3
FILLER_PACKAGES = ["data", "data/dataset", "backtest", "workflow", "strategy", "rl", "utils",
                   "contrib/ops", "contrib/report", "contrib/strategy", "model/ens", "model/riskmodel"]
SITE_COUNTS = [1000, 2000, 4000, 8000]
BIG_SIZES = {"big-5mb": 5_000_000, "big-20mb": 20_000_000}
HUGE_SIZES = {"big-100mb": 100_000_000}


def names(huge=False):
    return (["qlib", "large"] + [f"sites-{n // 1000}k" for n in SITE_COUNTS] + list(BIG_SIZES)
            + (list(HUGE_SIZES) if huge else []))


def tree_stats(tree):
    files = size = 0
    for d, _, fs in os.walk(tree):
        for n in fs:
            if n.endswith(".py"):
                files += 1
                size += os.path.getsize(os.path.join(d, n))
    return files, size


def pinned_fixtures(workdir):
    """fixtures/ at FIXTURES_COMMIT, extracted once under workdir; the working
    tree's fixtures/ (with a note) where git or that commit is not there."""
    dst = os.path.join(workdir, "fixtures-pinned")
    if os.path.isdir(dst):
        return dst, None
    p = subprocess.run(["git", "-C", REPO, "archive", FIXTURES_COMMIT, "fixtures"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if p.returncode != 0:
        return os.path.join(REPO, "fixtures"), f"fixtures/ read from the working tree: no commit {FIXTURES_COMMIT[:12]}"
    tmp = tempfile.mkdtemp(dir=workdir)
    with tarfile.open(fileobj=io.BytesIO(p.stdout)) as t:
        t.extractall(tmp, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    os.rename(os.path.join(tmp, "fixtures"), dst)
    os.rmdir(tmp)
    return dst, None


def build_qlib(tree, fixtures):
    demo = os.path.join(fixtures, "qlib-demo", "qlib")
    pkg = os.path.join(tree, "qlib")
    shutil.copytree(demo, pkg)
    models = os.path.join(demo, "contrib", "model")
    for c in range(QLIB_COPIES):
        dst = os.path.join(pkg, "contrib", f"zoo{c}")
        shutil.copytree(models, dst)
    shutil.copy(os.path.join(demo, "contrib", "data", "dataset_demo.py"), os.path.join(pkg, "contrib", "zoo0"))
    for sub in FILLER_PACKAGES:
        os.makedirs(os.path.join(pkg, sub), exist_ok=True)
        init = os.path.join(pkg, sub, "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()
    files, size = tree_stats(pkg)
    rng = filler.seeded(12)
    left = QLIB_FILES - files
    for i in range(left):
        want = (QLIB_BYTES - size) // (left - i)
        text = filler.module(rng, rng.randint(want // 4, want * 7 // 4))
        sub = FILLER_PACKAGES[i % len(FILLER_PACKAGES)]
        with open(os.path.join(pkg, sub, f"{filler.words(rng, filler.VERBS, filler.NOUNS)}_{i}.py"), "w") as f:
            f.write(text)
        size += len(text.encode())
    return pkg


def build_large(tree, fixtures):
    for name, src in LARGE_SOURCES:
        for d, dirs, fs in os.walk(src or fixtures):
            # Hidden directories and caches are skipped by every tool compared.
            dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x != "__pycache__")
            rel = os.path.relpath(d, src or fixtures)
            for n in fs:
                s = os.path.join(d, n)
                if not n.endswith(".py") or not os.path.isfile(s):
                    continue
                dst = os.path.join(tree, name, rel, n)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(s, dst)
    return tree


# Two sites per unit; four shapes so several rules and their conditions run.
UNITS = [
    '''class Model{i}(Model):
    def __init__(self, GPU=0):
        self.logger = get_module_logger("m{i}")
        self.device = torch.device("cuda:%d" % (GPU) if torch.cuda.is_available() and GPU >= 0 else "cpu")

    def step_{i}(self):
        if self.use_gpu:
            torch.cuda.empty_cache()

''',
    '''class Trainer{i}:
    def __init__(self, gpu=0):
        self.device = "cuda:%s" % (gpu) if torch.cuda.is_available() and gpu >= 0 else "cpu"

    def clear_{i}(self):
        torch.cuda.empty_cache()

''',
    '''class Runner{i}:
    def __init__(self, GPU=1):
        self.device = torch.device("cuda:%d" % GPU if torch.cuda.is_available() else "cpu")
        self.use_gpu = torch.cuda.is_available()

''',
    '''device_{i} = "cuda" if torch.cuda.is_available() else "cpu"


def forward_{i}(x):
    return torch.device(torch.get_device(x))

''',
]
HEAD = "import torch\n\nfrom qlib.log import get_module_logger\nfrom qlib.model.base import Model\n\n\n"


def build_sites(tree, count):
    with open(os.path.join(tree, f"sites_{count}.py"), "w") as f:
        f.write(HEAD)
        for i in range(count // 2):
            f.write(UNITS[i % len(UNITS)].format(i=i))


def build_big(tree, size):
    rng = filler.seeded(size)
    with open(os.path.join(tree, f"big_{size // 1_000_000}mb.py"), "w") as f:
        f.write(HEAD + UNITS[0].format(i=0))
        written = len(HEAD) + len(UNITS[0])
        while written < size:
            chunk = filler.module(rng, 200_000) + "\n\n"
            f.write(chunk)
            written += len(chunk)


def build(name, tree, fixtures):
    os.makedirs(tree)
    if name == "qlib":
        return build_qlib(tree, fixtures)
    if name == "large":
        return build_large(tree, fixtures)
    if name.startswith("sites-"):
        build_sites(tree, int(name[len("sites-"):-1]) * 1000)
    else:
        build_big(tree, {**BIG_SIZES, **HUGE_SIZES}[name])
    return tree


def ensure(name, workdir):
    """(tree for `name` under `workdir`, note or None), built unless a build
    of this version is already there. The tree is the path to give the tools."""
    tree = os.path.join(workdir, name)
    stamp = os.path.join(workdir, f"{name}.stamp")
    target = os.path.join(tree, "qlib") if name == "qlib" else tree
    if os.path.exists(stamp) and open(stamp).read() == str(VERSION):
        return target, None
    fixtures, note = pinned_fixtures(workdir)
    shutil.rmtree(tree, ignore_errors=True)
    build(name, tree, fixtures)
    if note is None:
        with open(stamp, "w") as f:
            f.write(str(VERSION))
    return target, note
