"""Timing commands and describing the results.

`measure()` runs a command N times (after W warm-up runs) the way a caller such as docker does:
stdin from a file, stdout captured, no shell. Each run is timed from just before
`os.posix_spawn` to just after `wait4` reaped the process (wall time, `time.perf_counter`), and
`wait4`'s rusage gives its CPU time (user + system). Every answer is checked, so a
fast failure can never pass for a fast hit. The spawn floor of this method is itself a figure
(`/bin/true`), so readers can tell the command's own time from the harness's.
`measure_many()` times several commands interleaved (rounds), so a drift of the machine
weighs on all alike, and records the hypervisor's steal time meanwhile.

hyperfine 1.15 (Debian 12) cannot feed stdin to a command without a shell (`--input` came in
1.16), so the Python timer is the one method, used for every figure alike.
"""

from __future__ import annotations

import gc
import os
import select
import signal
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .bed import BenchError

METHOD = ("wall time per process, os.posix_spawn to wait4 (no shell; stdin from a file, "
          "stdout to a file), time.perf_counter; every answer checked")


@dataclass
class Sample:
    """The runs of one command: wall and CPU seconds.

    (No peak RSS: posix_spawn's vfork-style child carries the parent's high-water mark across
    exec, so wait4's ru_maxrss would report Python's size, not the command's.)
    """

    label: str
    argv: list[str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    warmup: int = 0
    steal: float = 0.0  # share of the machine's CPU time the hypervisor took meanwhile

    @property
    def n(self) -> int:
        return len(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p90(self) -> float:
        if self.n < 2:
            return self.wall[0]
        return statistics.quantiles(self.wall, n=10, method="inclusive")[-1]

    def stats(self) -> dict:
        """Seconds (wall, cpu), rounded to the microsecond for the record."""
        return {
            "runs": self.n,
            "warmup": self.warmup,
            "median": round(self.median, 6),
            "p90": round(self.p90, 6),
            "min": round(min(self.wall), 6),
            "max": round(max(self.wall), 6),
            "mean": round(statistics.fmean(self.wall), 6),
            "cpu_median": round(statistics.median(self.cpu), 6),
            "steal": round(self.steal, 4),
        }


def _kill_group(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        time.sleep(0.2)


def _wait(pid: int, timeout: float):
    """wait4 the child, bounded by `timeout` (pidfd + select); kill its group when it hangs."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        try:
            ready, _, _ = select.select([fd], [], [], timeout)
        finally:
            os.close(fd)
        if not ready:
            _kill_group(pid)
            os.wait4(pid, 0)
            raise BenchError(f"pid {pid} did not finish within {timeout:.0f}s")
    return os.wait4(pid, 0)


def run_once(argv: Sequence[str], env: Mapping[str, str], stdin_path: Path, out_path: Path,
             err_path: Path, timeout: float) -> tuple[float, float, int]:
    """One timed run: (wall s, cpu s, exit code); stdout/stderr land in files."""
    fin = os.open(stdin_path, os.O_RDONLY)
    fout = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    ferr = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    actions = [(os.POSIX_SPAWN_DUP2, fin, 0), (os.POSIX_SPAWN_DUP2, fout, 1),
               (os.POSIX_SPAWN_DUP2, ferr, 2)]
    env = dict(env)
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], list(argv), env, file_actions=actions, setsid=True)
        _, status, ru = _wait(pid, timeout)
        t1 = time.perf_counter()
    finally:
        for fd in (fin, fout, ferr):
            os.close(fd)
    return t1 - t0, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)


@dataclass
class Cmd:
    """A command to time: absolute argv[0], its environment, stdin, and a check of stdout
    (returns an error text, or None when the answer is right)."""

    label: str
    argv: list[str]
    env: Mapping[str, str]
    stdin: bytes = b""
    check: Callable[[bytes], str | None] | None = None
    timeout: float = 60


def _cpu_ticks() -> list[int]:
    """/proc/stat's first line: user nice system idle iowait irq softirq steal ... (ticks)."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return [0] * 8


def measure_many(cmds: Sequence[Cmd], workdir: Path, *, runs: int, warmup: int,
                 rounds: int = 10) -> list[Sample]:
    """Time several commands interleaved: warm-up runs of each, then `rounds` rounds that run
    each command runs/rounds times in turn, so a slow drift of the machine (other work, the
    host's) weighs on all of them alike and their differences stay meaningful."""
    workdir.mkdir(parents=True, exist_ok=True)
    files = []
    for k, c in enumerate(cmds):
        if not os.path.isabs(c.argv[0]):
            raise BenchError(f"{c.argv[0]}: give the absolute path (no PATH lookup is timed)")
        slug = f"{k}-" + "".join(ch if ch.isalnum() else "-" for ch in c.label)[:40]
        paths = tuple(workdir / f"{slug}.{x}" for x in ("in", "out", "err"))
        paths[0].write_bytes(c.stdin)
        files.append(paths)
    samples = [Sample(c.label, list(c.argv), warmup=warmup) for c in cmds]
    ticks = [[0] * 8 for _ in cmds]
    rounds = max(1, min(rounds, runs))
    per_round = [runs // rounds + (1 if r < runs % rounds else 0) for r in range(rounds)]

    def block(k: int, n: int, keep: bool) -> None:
        c, (fin, fout, ferr) = cmds[k], files[k]
        before = _cpu_ticks()
        for _ in range(n):
            wall, cpu, code = run_once(c.argv, c.env, fin, fout, ferr, c.timeout)
            out = fout.read_bytes()
            problem = f"exit code {code}" if code != 0 else (c.check(out) if c.check else None)
            if problem:
                err = ferr.read_bytes().decode("utf-8", "replace").strip()
                raise BenchError(f"{c.label}: {problem}; stdout {out[:300]!r}; stderr {err[-500:]!r}")
            if keep:
                samples[k].wall.append(wall)
                samples[k].cpu.append(cpu)
        if keep:
            ticks[k] = [t + (b - a) for t, a, b in zip(ticks[k], before, _cpu_ticks())]

    gc_was = gc.isenabled()
    gc.disable()
    try:
        for k in range(len(cmds)):
            block(k, warmup, keep=False)
        for n in per_round:
            for k in range(len(cmds)):
                block(k, n, keep=True)
    finally:
        if gc_was:
            gc.enable()
    for sample, t in zip(samples, ticks):
        total = sum(t)
        sample.steal = t[7] / total if total else 0.0
    return samples


def measure(label: str, argv: Sequence[str], env: Mapping[str, str], workdir: Path, *,
            runs: int, warmup: int, stdin: bytes = b"",
            check: Callable[[bytes], str | None] | None = None, timeout: float = 60) -> Sample:
    """Run one command warmup + runs times (see measure_many)."""
    return measure_many([Cmd(label, list(argv), env, stdin, check, timeout)], workdir,
                        runs=runs, warmup=warmup, rounds=1)[0]


# -- figures ---------------------------------------------------------------------------------

@dataclass
class Target:
    """`on` (the figure's "value" or its "ratio") must be `op` ("<", "<=", ">=" or "==")
    `bound`."""

    on: str
    op: str
    bound: float
    text: str

    def met(self, fig: "Figure") -> bool:
        v = fig.value if self.on == "value" else fig.ratio
        if v is None:
            return False
        return {"<": v < self.bound, "<=": v <= self.bound, ">=": v >= self.bound,
                "==": v == self.bound}[self.op]


@dataclass
class Figure:
    """One line of the results: a headline value (unit "s", "KiB" or "x"), optional statistics,
    targets, and a ratio to a reference figure ("480x faster than aws")."""

    key: str
    name: str
    value: float
    unit: str
    stats: dict | None = None
    targets: list[Target] = field(default_factory=list)
    ratio: float | None = None
    ratio_text: str = ""  # "{r} faster than aws": {r} is replaced by the formatted ratio
    role: str = ""  # what an untargeted figure is: "reference", "informative", ...

    @property
    def verdict(self) -> str:
        if not self.targets:
            return "info"
        return "PASS" if all(t.met(self) for t in self.targets) else "MISS"

    def to_json(self) -> dict:
        d = asdict(self)
        d["value"] = round(self.value, 6)
        if self.ratio is not None:
            d["ratio"] = round(self.ratio, 2)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Figure":
        d = dict(d)
        d["targets"] = [Target(**t) for t in d.get("targets") or []]
        return cls(**d)


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "s":
        ms = v * 1000
        if ms >= 1000:
            return f"{v:.2f} s"
        if ms >= 100:
            return f"{ms:.0f} ms"
        if ms >= 10:
            return f"{ms:.1f} ms"
        return f"{ms:.2f} ms"
    if unit == "x":
        return f"{v:.0f}x" if v >= 10 else f"{v:.2f}x"
    if unit == "KiB":
        return f"{v / 1024:.1f} MiB"
    return f"{v:g} {unit}"


def fmt_ratio(fig: Figure) -> str:
    if fig.ratio is None:
        return fig.role or "-"
    r = fmt_value(fig.ratio, "x")
    return fig.ratio_text.replace("{r}", r) if fig.ratio_text else r


def fmt_targets(fig: Figure) -> str:
    return "; ".join(t.text for t in fig.targets) if fig.targets else "-"
