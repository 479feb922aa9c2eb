"""Process helpers for the stand-ins: free ports, session-leader services, bounded waits.

PID 1 on the test machines does not reap orphans, so every service is started in its
own session (setsid), remembered by pid, and stopped by process group: SIGTERM, then
SIGKILL after a bound. Nothing is ever killed by name.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"


class StandinError(RuntimeError):
    """A stand-in could not be started or did not become ready."""


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_subreaper = False
try:
    _LIBC = ctypes.CDLL(None, use_errno=True)  # resolved here: the preexec_fn only calls it
except OSError:  # pragma: no cover - not Linux
    _LIBC = None
_tracked: set[int] = set()  # pids of our own Popen children (reaped by Popen, not by us)
_running: list["Service"] = []  # started and not yet stopped, for `stop_services`


def become_subreaper() -> None:
    """Adopt orphaned descendants (PID 1 here reaps none), so `reap_orphans` can reap them."""
    global _subreaper
    if _subreaper:
        return
    _subreaper = True
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM this child when the process that started it dies (even by SIGKILL)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def reap_orphans() -> None:
    """Reap exited processes that were re-parented to us (not our own Popen children)."""
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in _tracked:
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and fields[0] == "Z" and int(fields[1]) == me:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(int(entry), os.WNOHANG)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


class Service:
    """One background process in its own session, with its output in a log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike | None = None,
        pass_fds: Sequence[int] = (),
    ):
        self.name = name
        self.argv = list(argv)
        self.log_path = Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        become_subreaper()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_die_with_parent,
                pass_fds=tuple(pass_fds),
            )
        self.pid = self.proc.pid
        self.pgid = self.pid  # session leader: its pgid is its pid
        self._stopped = False
        _tracked.add(self.pid)
        _running.append(self)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self) -> str:
        return _tail(self.log_path)

    def fail(self, what: str) -> "StandinError":
        status = "running" if self.alive() else f"exited with {self.proc.returncode}"
        return StandinError(
            f"{self.name}: {what} ({status}); log {self.log_path}:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the process group, SIGKILL it after `timeout`; reap the leader and orphans."""
        if self._stopped:  # never signal a pgid twice: it could belong to someone else by now
            return
        self._stopped = True
        for sig, bound in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pgid, sig)
            try:
                self.proc.wait(timeout=bound)
            except subprocess.TimeoutExpired:
                continue
            break
        # The leader is gone; what it started may linger in its group (or as zombies we adopted).
        deadline = time.monotonic() + 2.0
        while True:
            reap_orphans()
            if not _group_alive(self.pgid):
                break
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pgid, signal.SIGKILL)
                time.sleep(0.05)
                reap_orphans()
                break
            time.sleep(0.02)
        _tracked.discard(self.pid)
        if self in _running:
            _running.remove(self)

    def __repr__(self) -> str:
        return f"<Service {self.name} pid={self.pid}>"


def stop_services() -> None:
    """Stop every Service this process started and has not stopped, newest first: also those
    whose wrapper (MotoServer, Registry, Idp) was still waiting for them to become ready."""
    while _running:
        _running.pop().stop()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(pid: int, expect_in_cmdline: str, timeout: float = 5.0) -> bool:
    """Stop a process group started by another process (e.g. `standins down`).

    Only acts when /proc/PID/cmdline still contains `expect_in_cmdline`, so a reused
    pid is never hit. Returns True when something was signalled.
    """
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    if expect_in_cmdline not in cmdline:
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.05)
    if _group_alive(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    return True


def http_status(url: str, method: str = "GET", timeout: float = 2.0) -> int | None:
    """The HTTP status of `url`, or None when nothing answers."""
    req = urllib.request.Request(url, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def wait_until(
    service: Service,
    ready: Callable[[], bool],
    what: str,
    timeout: float = 30.0,
    interval: float = 0.05,
) -> None:
    """Poll `ready()` until it is true; fail early when the service died, bounded by `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if not service.alive():
            raise service.fail(f"died before {what}")
        if time.monotonic() > deadline:
            service.stop()
            raise service.fail(f"not {what} after {timeout:.0f}s")
        time.sleep(interval)


def no_proxy_opener(*handlers) -> urllib.request.OpenerDirector:
    """A urllib opener that never uses a proxy from the environment (we only talk to 127.0.0.1)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)


# Stand-ins a test session started, stopped at exit if a fixture did not get to it.
_started: list = []


def _stop_all() -> None:
    while _started:
        s = _started.pop()
        try:
            s.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(_stop_all)


def start_tracked(factory, *args, **kwargs):
    """factory(*args, **kwargs), stopped at interpreter exit unless `stop_tracked` ran first."""
    obj = factory(*args, **kwargs)
    _started.append(obj)
    return obj


def stop_tracked(obj) -> None:
    obj.stop()
    if obj in _started:
        _started.remove(obj)


def module_service(name: str, module: str, args: Sequence[str], log_path: Path, health_url: str) -> Service:
    """One of our Python stand-ins (`python -m tests.standins.MODULE ARGS`, the test venv's
    Python) as a service, once its health URL answers 200."""
    python = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
    service = Service(
        name,
        [python, "-m", f"tests.standins.{module}", *args],
        log_path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"},
        cwd=str(REPO_ROOT),
    )
    path = health_url.split("/", 3)[-1]
    wait_until(service, lambda: http_status(health_url, timeout=1.0) == 200, f"serving /{path}", timeout=30)
    return service


def control(url: str, method: str = "GET", doc: Any = None, timeout: float = 20) -> Any:
    """A stand-in's control endpoint: JSON in (for POST, `{}` when none), JSON out."""
    data = json.dumps(doc if doc is not None else {}).encode() if method == "POST" else None
    req = urllib.request.Request(url, method=method, data=data, headers={"Content-Type": "application/json"})
    with no_proxy_opener().open(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"null")
