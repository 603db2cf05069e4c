"""Timing one command: wall time, CPU time and peak resident memory.

The peak comes from GNU time (`/usr/bin/time -f %M`, Debian package `time`).
Python cannot read it itself: RUSAGE_CHILDREN's ru_maxrss is the largest of
all children so far, and even os.wait4's figure for one child starts at this
interpreter's own size (~16 MiB), because Linux carries the high-water mark of
the memory image a child had before exec (Python's, shared through vfork)
into the program it runs. GNU time forks from a ~1 MiB process instead.
Without it the figures are os.wait4's, with that floor, and say so.
"""
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def looped(argv, times):
    """A shell loop running argv `times` times, stopping at the first failure."""
    return ["sh", "-c", f'i=0; while [ $i -lt {times} ]; do "$@" >/dev/null || exit $?; i=$((i + 1)); done',
            "loop", *argv]


class Run:
    def __init__(self, wall, cpu, rss_kib, rc, stderr):
        self.wall, self.cpu, self.rss_kib, self.rc, self.stderr = wall, cpu, rss_kib, rc, stderr


def once(argv, timeout, cwd=None):
    """Run argv with stdout discarded. rc is None when it ran past timeout."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
        if GNU_TIME:
            argv = [GNU_TIME, "-q", "-f", "%M", "-o", peak.name, *argv]
        start = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd,
                             start_new_session=True)
        killed = threading.Event()

        def kill():
            # The whole group: killing only `time` would leave the command running.
            killed.set()
            os.killpg(p.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
        rss = usage.ru_maxrss
        if GNU_TIME:
            # `time` reports a killed child on the same file; the figure is its last line.
            lines = peak.read().split()
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else rss
    rc = None if killed.is_set() else p.returncode
    return Run(wall, usage.ru_utime + usage.ru_stime, rss, rc, text)


class Series:
    """Every run of one command on one tree. A run may repeat the command
    `per` times (a shell loop), for commands too short to time one by one:
    figures are then per call."""

    def __init__(self, label, argv, ok, cwd=None, per=1):
        self.label, self.argv, self.ok, self.cwd, self.per = label, argv, ok, cwd, per
        self.runs, self.failure = [], None

    def add(self, run):
        if run.rc is None:
            self.failure = f"ran past the time limit ({run.wall:.0f} s)"
        elif not self.ok(run):
            tail = run.stderr.strip().splitlines()[-3:]
            self.failure = f"exit {run.rc}: " + " | ".join(tail)
        else:
            self.runs.append(run)

    @property
    def usable(self):
        return self.failure is None and bool(self.runs)

    def median(self):
        return statistics.median(r.wall for r in self.runs) / self.per

    def spread(self):
        return min(r.wall for r in self.runs) / self.per, max(r.wall for r in self.runs) / self.per

    def cpu(self):
        return statistics.median(r.cpu for r in self.runs) / self.per

    def peak_mib(self):
        return max(r.rss_kib for r in self.runs) / 1024

    def codes(self):
        return sorted({r.rc for r in self.runs})


def warm(tree):
    """Read every file once, so no command pays for a cold page cache."""
    for d, _, fs in os.walk(tree):
        for n in fs:
            with open(os.path.join(d, n), "rb") as f:
                while f.read(1 << 20):
                    pass


def interleaved(series, runs, timeout, progress):
    """`runs` rounds in which each command runs once, the order rotated each
    round so none always follows the same neighbour. A command that fails or
    runs past the time limit is dropped from later rounds."""
    for r in range(runs):
        shift = r % len(series) if series else 0
        for s in series[shift:] + series[:shift]:
            if s.failure is None:
                progress(f"  run {r + 1}/{runs}: {s.label}")
                s.add(once(s.argv, timeout, s.cwd))
