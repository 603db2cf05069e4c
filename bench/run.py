#!/usr/bin/env python3
"""Benchmark: mps-patch against ast-grep and grep, side by side in one run.

    python3 bench/run.py [path/to/mps-patch] [--runs N] [--only NAME]... [--jobs N]
                         [--workdir DIR] [--huge] [--timeout S] [--save FILE]

Needs any Python 3.9+ on Linux (no torch; `python3` on PATH will do), GNU
grep, and ast-grep from bench/'s lockfile (`cd bench && npm ci --ignore-scripts`).
Builds the trees of corpora.py, times every command on each, pair by pair
(interleaved rounds, medians), checks the targets of the speed issue and that
mps-patch and ast-grep report the same files for the rules they share. Exits
1 when a target is missed or the findings differ; what this mps-patch cannot
run (a command it does not have yet) is skipped with a note, never counted.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import corpora
import findings
import measure

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SG_CONFIG = os.path.join(HERE, "ast-grep", "sgconfig.yml")
SG_ONE_RULE = os.path.join(HERE, "ast-grep", "rules", "device-select.yml")
# Start-up is timed as a shell loop of this many calls per run, so that
# Python's own cost of starting a process (a few ms) is spread thin.
STARTUP_LOOP = 20
STARTUP_RUNS = 5
HOSTILE = [n for n in corpora.names(huge=True) if n.startswith(("sites-", "big-"))]
FINDINGS_ON = ["qlib", "large", "sites-1k"]


def find_ast_grep(given):
    """The native executable from the platform package. Without install
    scripts the `ast-grep` of @ast-grep/cli is a node shim that starts the
    binary per call, which would time node's start-up too."""
    if given:
        return given
    hits = sorted(glob.glob(os.path.join(HERE, "node_modules", "@ast-grep", "cli-*", "ast-grep")))
    return hits[0] if hits else None


def has_command(binary, name):
    out = subprocess.run([binary, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
    return re.search(rf"^\s+{re.escape(name)}\s", out, re.M) is not None


def rc_in(*codes):
    return lambda run: run.rc in codes


def dry_run_ok(run):
    # Exit 2 with "cannot be patched safely" is a file apply refuses (the large
    # corpus holds fixtures/bytes/unparsable.py): the run itself did its work.
    return run.rc in (0, 1) or (run.rc == 2 and ("cannot patch safely" in run.stderr or "cannot be patched safely" in run.stderr))


class Setup:
    def __init__(self, args):
        self.binary = os.path.abspath(args.binary)
        self.sg = find_ast_grep(args.ast_grep)
        self.jobs = args.jobs
        self.has_scan = has_command(self.binary, "scan")
        self.notes = []
        if not self.has_scan:
            self.notes.append("this mps-patch has no `scan`: its rows and targets are skipped")
        if not measure.GNU_TIME:
            self.notes.append("no /usr/bin/time (Debian package `time`): peak RSS includes this Python's ~16 MiB")
        if not self.sg:
            self.notes.append("no ast-grep (run `npm ci --ignore-scripts` in bench/): its rows are skipped")

    def series(self, name, tree):
        b, s = self.binary, []
        if name == "startup":
            n = STARTUP_LOOP
            return [measure.Series("mps-patch rules", measure.looped([b, "rules"], n), rc_in(0), per=n),
                    measure.Series("mps-patch --help", measure.looped([b, "--help"], n), rc_in(0), per=n),
                    measure.Series("/bin/true (spawn floor)", measure.looped(["/bin/true"], n), rc_in(0), per=n)]
        if self.has_scan:
            s.append(measure.Series(f"mps-patch scan --jobs {self.jobs}",
                                    [b, "scan", "--jobs", str(self.jobs), tree], rc_in(0, 1)))
        s.append(measure.Series("mps-patch apply --dry-run", [b, "apply", "--dry-run", "--target", tree], dry_run_ok))
        s.append(measure.Series("mps-patch verify --no-probe", [b, "verify", "--no-probe", "--target", tree],
                                rc_in(0, 1)))
        # --inspect summary: a few lines on stderr saying how many files it read.
        sg = [self.sg, "scan", "--inspect", "summary"]
        if self.sg and name not in HOSTILE:
            s.append(measure.Series("ast-grep scan, one rule", sg + ["--rule", SG_ONE_RULE, tree], rc_in(0)))
        if self.sg:
            s.append(measure.Series("ast-grep scan, all rules", sg + ["--config", SG_CONFIG, tree], rc_in(0)))
        if name not in HOSTILE:
            s.append(measure.Series("grep -rl torch.cuda", ["grep", "-rl", "torch.cuda", tree], rc_in(0, 1)))
        return s


def key(label):
    """Short names the targets refer to."""
    for prefix, k in [("mps-patch scan", "scan"), ("mps-patch apply", "apply"), ("mps-patch verify", "verify"),
                      ("ast-grep scan, one", "sg1"), ("ast-grep scan, all", "sg"), ("grep", "grep"),
                      ("mps-patch rules", "rules"), ("mps-patch --help", "help")]:
        if label.startswith(prefix):
            return k
    return label


def print_table(name, info, series):
    # Other work on the machine stretches wall times (CPU s much less so).
    print(f"\n== {name}: {info}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    by = {key(s.label): s for s in series}
    sg1, grep = by.get("sg1"), by.get("grep")
    head = f"{'command':<30}{'median s':>10}{'min s':>9}{'max s':>9}{'CPU s':>8}{'peak MiB':>10}{'exit':>6}"
    extra = (sg1 and sg1.usable) or (grep and grep.usable)
    print(head + (f"{'sg1/this':>10}{'this/grep':>11}" if extra else ""))
    for s in series:
        if not s.usable:
            print(f"{s.label:<30}  not measured: {s.failure or 'no run'}")
            continue
        lo, hi = s.spread()
        line = (f"{s.label:<30}{s.median():>10.3f}{lo:>9.3f}{hi:>9.3f}{s.cpu():>8.2f}{s.peak_mib():>10.1f}"
                f"{','.join(map(str, s.codes())):>6}")
        if extra:
            r1 = f"{sg1.median() / s.median():.2f}x" if sg1 and sg1.usable else "-"
            r2 = f"{s.median() / grep.median():.1f}x" if grep and grep.usable else "-"
            line += f"{r1:>10}{r2:>11}"
        print(line)
    for s in series:
        # ast-grep passes over files it will not read (not UTF-8, empty, too
        # large): say so, or its time on a tree it skipped reads as a win.
        m = re.search(r"scannedFileCount=(\d+),skippedFileCount=(\d+)", s.runs[-1].stderr) if s.usable else None
        if m and m.group(2) != "0":
            print(f"  ({s.label}: of {m.group(1)} files it skipped {m.group(2)}; "
                  "ast-grep does not read empty, non-UTF-8 or too large files)")


class Targets:
    def __init__(self, results, setup, selected):
        self.results, self.setup, self.selected, self.rows = results, setup, selected, []

    def _get(self, corpus, k):
        if corpus not in self.selected:
            return None, "not run (--only)"
        s = {key(x.label): x for x in self.results.get(corpus, [])}.get(k)
        if s is None:
            why = {"scan": "this mps-patch has no `scan`", "sg1": "no ast-grep", "sg": "no ast-grep"}
            return None, why.get(k, "not measured")
        if not s.usable:
            return None, f"MISSED: {s.label}: {s.failure}"
        return s, None

    def add(self, corpus, text, value, bound, fmt):
        """value: (number, None) or (None, reason); bound: (op, limit)."""
        number, why = value
        if number is None:
            status = "MISSED" if why.startswith("MISSED") else "skipped"
            self.rows.append((corpus, text, why.removeprefix("MISSED: "), status))
            return
        op, limit = bound
        ok = number >= limit if op == ">=" else number <= limit
        self.rows.append((corpus, text, fmt.format(number), "ok" if ok else "MISSED"))

    def ratio(self, corpus, a, b, ka=None, kb=None):
        sa, wa = self._get(ka or corpus, a)
        sb, wb = self._get(kb or corpus, b)
        if wa or wb:
            return None, wa or wb
        return sa.median() / sb.median(), None

    def peak(self, corpus, k):
        s, why = self._get(corpus, k)
        return (None, why) if why else (s.peak_mib(), None)

    def median_ms(self, corpus, k):
        s, why = self._get(corpus, k)
        return (None, why) if why else (s.median() * 1000, None)

    def check(self):
        self.add("qlib", "apply --dry-run >= 3x faster than ast-grep one rule",
                 self.ratio("qlib", "sg1", "apply"), (">=", 3), "{:.2f}x")
        self.add("qlib", "verify --no-probe >= 3x faster than ast-grep one rule",
                 self.ratio("qlib", "sg1", "verify"), (">=", 3), "{:.2f}x")
        self.add("large", "scan >= 10x faster than ast-grep one rule",
                 self.ratio("large", "sg1", "scan"), (">=", 10), "{:.2f}x")
        self.add("large", "scan within 4x of grep -rl torch.cuda",
                 self.ratio("large", "scan", "grep"), ("<=", 4), "{:.2f}x grep")
        self.add("large", "scan peak RSS <= 64 MiB", self.peak("large", "scan"), ("<=", 64), "{:.1f} MiB")
        self.add("large", "apply --dry-run within 1.5x of scan",
                 self.ratio("large", "apply", "scan"), ("<=", 1.5), "{:.2f}x scan")
        for k, what in [("apply", "apply --dry-run"), ("scan", "scan")]:
            self.add("sites", f"{what}: 8k sites within 10x of 1k",
                     self.ratio("sites-8k", k, k, "sites-8k", "sites-1k"), ("<=", 10), "{:.2f}x")
        for k, what in [("apply", "apply --dry-run"), ("verify", "verify --no-probe"), ("scan", "scan")]:
            self.add("big-20mb", f"{what}: peak RSS < 64 MiB", self.peak("big-20mb", k), ("<=", 64), "{:.1f} MiB")
        self.add("startup", "mps-patch rules <= 10 ms", self.median_ms("startup", "rules"), ("<=", 10), "{:.1f} ms")
        self.add("startup", "mps-patch --help <= 10 ms", self.median_ms("startup", "help"), ("<=", 10), "{:.1f} ms")

    def print(self):
        print("\n== targets")
        for corpus, text, got, status in self.rows:
            print(f"{status:<8}{corpus:<10}{text:<56}{got}")
        return any(r[3] == "MISSED" for r in self.rows)


def check_findings(setup, trees):
    """Per shared rule, the files each tool reports. Returns True when they differ."""
    if not setup.sg:
        print("\n== findings: skipped (no ast-grep)")
        return False
    ours = set(findings.rule_ids(setup.binary))
    theirs = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(HERE, "ast-grep", "rules", "*.yml"))}
    shared = sorted(ours & theirs)
    if ours - theirs:
        print(f"\nnote: no ast-grep counterpart, not compared: {', '.join(sorted(ours - theirs))}")
    if theirs - ours:
        print(f"\nnote: ast-grep rules this mps-patch does not have: {', '.join(sorted(theirs - ours))}")
    differ = False
    for name, tree in trees:
        ours, source = findings.mps_patch(setup.binary, tree, setup.has_scan)
        theirs, unread = findings.ast_grep(setup.sg, SG_CONFIG, tree)
        print(f"\n== findings on {name}: files per rule, mps-patch `{source}` vs ast-grep (all rules)")
        for rule, a, b, only_ours, only_theirs, skipped in findings.compare(ours, theirs, unread, shared):
            same = not only_ours and not only_theirs
            differ |= not same
            print(f"{'same' if same else 'DIFFER':<8}{rule:<20}{a:>6} files{b:>6} files"
                  + ("" if same else f"   only mps-patch: {only_ours[:5]}  only ast-grep: {only_theirs[:5]}")
                  + "".join(f"   (+ {f}: ast-grep did not read it, {unread[f]})" for f in skipped))
    return differ


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary", nargs="?", default=os.path.join(REPO, "build", "mps-patch"))
    ap.add_argument("--runs", type=int, default=5, help="timed rounds per tree (start-up: at least 5, of 20 calls each)")
    ap.add_argument("--only", action="append", default=[],
                    help="startup, qlib, large, hostile, or one of: " + ", ".join(HOSTILE))
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="for `mps-patch scan --jobs`")
    ap.add_argument("--workdir", help="build the trees here and reuse them next time (default: a temp dir)")
    ap.add_argument("--huge", action="store_true", help="also the 100 MB file")
    ap.add_argument("--timeout", type=float, default=600, help="seconds one command may run")
    ap.add_argument("--ast-grep", help="an ast-grep executable (default: bench/node_modules' platform binary)")
    ap.add_argument("--save", help="write every measurement as JSON here")
    args = ap.parse_args()

    setup = Setup(args)
    everything = ["startup"] + corpora.names(args.huge)
    selected = everything
    if args.only:
        want = {n for o in args.only for n in (HOSTILE if o == "hostile" else [o])}
        unknown = want - set(everything) - set(HOSTILE)
        if unknown:
            ap.error(f"unknown --only {sorted(unknown)}")
        selected = [n for n in ["startup"] + corpora.names(True) if n in want]

    def progress(msg):
        print(msg, file=sys.stderr, flush=True)

    print(f"mps-patch: {setup.binary}\nast-grep: {setup.sg or '-'}\ncores: {os.cpu_count()}, "
          f"scan --jobs {args.jobs}, {args.runs} runs per tree ({max(args.runs, STARTUP_RUNS)} x {STARTUP_LOOP} calls for start-up)")
    for n in setup.notes:
        print(f"note: {n}")
    workdir = args.workdir or tempfile.mkdtemp(prefix="mps-patch-bench-")
    os.makedirs(workdir, exist_ok=True)
    # The findings check also runs on fixtures/ as it is now: it is about the
    # rules, which should agree on every fixture, new ones included.
    results, trees = {}, [("fixtures/", os.path.join(REPO, "fixtures"))]
    try:
        for name in selected:
            if name == "startup":
                info, tree, runs = "start-up, no tree", None, max(args.runs, STARTUP_RUNS)
            else:
                progress(f"[{name}] building under {workdir}")
                (tree, note), runs = corpora.ensure(name, workdir), args.runs
                if note:
                    print(f"note: {note}")
                files, size = corpora.tree_stats(tree)
                hits = subprocess.run(["grep", "-rl", "torch.cuda", tree], stdout=subprocess.PIPE).stdout.count(b"\n")
                info = f"{files} .py files, {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB), {hits} contain torch.cuda"
                measure.warm(tree)
                if name in FINDINGS_ON:
                    trees.append((name, tree))
            series = setup.series(name, tree)
            measure.interleaved(series, runs, args.timeout, lambda m: progress(f"[{name}]{m}"))
            results[name] = series
            print_table(name, info, series)
            sys.stdout.flush()
        differ = check_findings(setup, trees)
        targets = Targets(results, setup, selected)
        targets.check()
        missed = targets.print()
        if args.save:
            with open(args.save, "w") as f:
                json.dump({n: [{"label": s.label, "argv": s.argv, "failure": s.failure,
                                "runs": [vars(r) | {"stderr": r.stderr[-300:]} for r in s.runs]} for s in ss]
                           for n, ss in results.items()}, f, indent=1)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if differ:
        print("findings: mps-patch and ast-grep disagree (see above)")
    return 1 if (missed or differ) else 0


if __name__ == "__main__":
    sys.exit(main())
