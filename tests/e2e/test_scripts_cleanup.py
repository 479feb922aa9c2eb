"""Scripts clean up after themselves: `scripts/demo`, interrupted (SIGINT to its process group,
what Ctrl-C in a terminal sends) or terminated (SIGTERM to it alone), leaves nothing it started
running, and ends within a bound.

What the demo started is found three ways: every process carrying this test's marker in its
environment (inherited by the stand-ins' launcher, moto, docker-registry, saml-idp, Xvfb,
dbus-daemon, gnome-keyring, the app and its login window, also those in sessions of their own,
which a group signal does not reach); the demo's descendants, walked through /proc while it
runs (pid and start time, so a reused pid is not taken for a leftover); and the stand-ins'
ports recorded in its standins.json, which must be closed afterwards. This process is a child
subreaper, so the demo's orphans are re-parented to it and reaped here instead of lingering as
zombies under PID 1. Anything left is listed in the failure, then killed by its process group.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.standins import procs
from tests.standins.procs import REPO_ROOT, become_subreaper, reap_orphans

MARK = "DOCKPASS_CLEANUP_TEST_MARK"
# The demo's own bound is about 20 s (standins_down); the usual stop takes about a second.
STOP_BOUND = 30.0


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str
    start: int  # clock ticks after boot: with the pid, one process
    cmdline: str

    def __str__(self) -> str:
        return (f"pid {self.pid} ppid {self.ppid} pgid {self.pgid} sid {self.sid} "
                f"state {self.state}: {self.cmdline[:160]}")


def _proc(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return Proc(pid=pid, ppid=int(fields[1]), pgid=int(fields[2]), sid=int(fields[3]),
                state=fields[0], start=int(fields[19]),
                cmdline=cmdline.replace(b"\0", b" ").decode("utf-8", "replace").strip())


def _all_procs() -> list[Proc]:
    procs = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (p := _proc(int(entry))) is not None:
            procs.append(p)
    return procs


def _running(p: Proc) -> bool:
    return p.state not in ("Z", "X")


def _marked(mark: str) -> list[Proc]:
    """Running processes whose environment holds MARK=mark (zombies have no environment)."""
    reap_orphans()
    want = f"{MARK}={mark}".encode()
    found = []
    for p in _all_procs():
        try:
            env = Path(f"/proc/{p.pid}/environ").read_bytes()
        except OSError:
            continue
        if want in env.split(b"\0") and _running(p):
            found.append(p)
    return found


def _descendants(root: int) -> list[Proc]:
    procs = _all_procs()
    children: dict[int, list[Proc]] = {}
    for p in procs:
        children.setdefault(p.ppid, []).append(p)
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c.pid)
    return out


def _still_running(p: Proc) -> bool:
    now = _proc(p.pid)
    return now is not None and now.start == p.start and _running(now)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Demo:
    """`scripts/demo ARGS` in a session of its own, its output in a file, its state in a temp dir."""

    def __init__(self, tmp_path: Path, *args: str):
        become_subreaper()
        for name in ("dockpass", "dockpass-app"):
            path = REPO_ROOT / "target" / "debug" / name
            if not (path.is_file() and os.access(path, os.X_OK)):
                pytest.fail(f"{path} not found: build it first (scripts/setup)", pytrace=False)
        self.mark = uuid.uuid4().hex
        self.dir = tmp_path / "demo"
        self.log_path = tmp_path / "demo.log"
        tmp_path.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
        env.update({MARK: self.mark, "DOCKPASS_SETUP_SKIP_BUILD": "1",
                    "DOCKPASS_DEMO_DIR": str(self.dir)})
        self.seen: dict[int, Proc] = {}
        self.ports: list[int] = []
        with open(self.log_path, "wb") as log:
            # As from a terminal: SIGINT at its default (env resets it should this test have
            # been started with it ignored), the demo leading its own process group.
            self.proc = subprocess.Popen(
                ["env", "--default-signal=INT", "bash", "scripts/demo", *args],
                cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        procs._tracked.add(self.proc.pid)  # reaped by Popen (for its exit status), not by reap_orphans

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def record(self) -> list[Proc]:
        """What runs now that the demo started (marker and descendants), remembered."""
        now = _marked(self.mark) + (_descendants(self.proc.pid) if self.proc.poll() is None else [])
        for p in now:
            self.seen.setdefault(p.pid, p)
        return now

    def wait_for(self, what: str, ready, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc.poll() is not None:
                pytest.fail(f"the demo exited ({self.proc.returncode}) before {what}:\n{self.log()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"not {what} after {timeout:.0f} s:\n{self.log()[-4000:]}")
            time.sleep(0.05)
        self.record()

    def running(self, *parts: str) -> bool:
        cmdlines = [p.cmdline for p in self.record()]
        return all(any(part in c for c in cmdlines) for part in parts)

    def record_ports(self) -> None:
        info = json.loads((self.dir / "standins.json").read_text())
        self.ports = [int(info["moto"]["url"].rsplit(":", 1)[1]),
                      int(info["idp"]["url"].rstrip("/").rsplit(":", 1)[1]),
                      int(info["registry"]["host"].rsplit(":", 1)[1])]
        assert all(_port_open(p) for p in self.ports), f"stand-ins' ports not open: {self.ports}"

    def leftovers(self) -> list[Proc]:
        left = {p.pid: p for p in _marked(self.mark)}
        left.update({p.pid: p for p in self.seen.values() if _still_running(p)})
        return sorted(left.values(), key=lambda p: p.pid)

    def stop_and_check(self, sig: signal.Signals, to_group: bool, grace: float = 3.0) -> float:
        """Send `sig` (to the process group, or to the demo alone), then assert that the demo
        ended by it within STOP_BOUND and left nothing running `grace` seconds after it ended.
        Returns how long the demo took to end."""
        t0 = time.monotonic()
        if to_group:
            os.killpg(self.proc.pid, sig)
        else:
            os.kill(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=STOP_BOUND)
        except subprocess.TimeoutExpired:
            pass
        took = time.monotonic() - t0
        # What was killed may take a moment to be gone from /proc (reaped here or by its parent).
        deadline = time.monotonic() + grace
        while (left := self.leftovers()) and time.monotonic() < deadline:
            time.sleep(0.1)
        ended = self.proc.poll()
        open_ports = [p for p in self.ports if _port_open(p)]
        problems = []
        if ended is None:
            problems.append(f"the demo still runs {STOP_BOUND:.0f} s after {sig.name}")
        elif ended not in (-sig, 128 + sig):
            problems.append(f"the demo exited with {ended}, not by {sig.name}")
        if left:
            problems.append("still running:\n  " + "\n  ".join(map(str, left)))
        if open_ports:
            problems.append(f"stand-ins' ports still open: {open_ports}")
        assert not problems, (
            f"after {sig.name} to {'the process group' if to_group else 'the demo alone'}: "
            + "\n".join(problems) + f"\n--- demo log (tail):\n{self.log()[-3000:]}")
        return took

    def kill_all(self) -> None:
        """After a failure: SIGKILL every process group of what is left (ours never)."""
        if self.proc.poll() is None:  # not reaped yet, so its pid (= its group's id) is still its
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        for p in self.leftovers():
            if p.pgid != os.getpgrp():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(p.pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        procs._tracked.discard(self.proc.pid)
        time.sleep(0.2)
        reap_orphans()


@pytest.fixture
def demo_factory(tmp_path):
    demos: list[Demo] = []

    def start(*args: str) -> Demo:
        d = Demo(tmp_path / f"run{len(demos)}", *args)
        demos.append(d)
        return d

    yield start
    for d in demos:
        d.kill_all()


@pytest.mark.parametrize("sig,to_group", [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=["sigint-group", "sigterm-demo"])
def test_demo_keep_stops_the_standins(demo_factory, sig, to_group):
    """`scripts/demo --headless --keep` waiting for Ctrl-C: moto, the registry, saml-idp and
    their launcher (each in a session of its own) stop with it."""
    demo = demo_factory("--headless", "--keep")
    demo.wait_for("the stand-ins keep running", lambda: "stand-ins keep running" in demo.log(), 90)
    demo.record_ports()
    assert demo.running("tests.standins up", "tests.standins.moto_patched", "docker-registry", "saml-idp")
    demo.stop_and_check(sig, to_group)


def test_demo_interrupted_while_the_standins_start(demo_factory):
    """Ctrl-C while the launcher is still starting the stand-ins (before it wrote standins.json):
    the demo used to wait for the launcher for ever, and the launcher for the demo."""
    demo = demo_factory("--headless", "--keep")
    demo.wait_for("moto started", lambda: demo.running("tests.standins.moto_patched"), 90)
    demo.stop_and_check(signal.SIGINT, to_group=True)


@pytest.mark.parametrize("sig,to_group", [(signal.SIGINT, True), (signal.SIGTERM, False),
                                          (signal.SIGKILL, True)],
                         ids=["sigint-group", "sigterm-demo", "sigkill-group"])
def test_demo_app_stops_everything(demo_factory, sig, to_group):
    """`scripts/demo --app` under Xvfb, the app showing its login window: the app and its
    `--login-window` child, the private bus and keyring, Xvfb and the stand-ins all stop. Also
    when the demo is killed outright (no trap runs): the sessions' leaders get a parent-death
    signal, the stand-ins' launcher sees the demo gone within a second (--exit-with)."""
    demo = demo_factory("--app")
    demo.wait_for("the app's login window runs",
                  lambda: demo.running("dockpass-app --login-window", "gnome-keyring-daemon", "Xvfb"), 90)
    demo.record_ports()
    demo.stop_and_check(sig, to_group, grace=15.0 if sig == signal.SIGKILL else 3.0)
