"""Notifications: the real DesktopNotifier (through the notify_probe example) against dunst on a
private D-Bus session bus, watched by dbus-monitor and dunst's own log.

Checks what reaches the notification server (app name, summary, body, the "Log in" action,
urgency), that a second notice of the same profile replaces the first (its Notify carries the
first one's id, and one notification is on screen), the action round trip (`dunstctl action 0`
-> ActionInvoked -> `action: login corp`), clear -> CloseNotification, and one-line errors
without a bus or without a notification server.

The session: `dbus-run-session --config-file scripts/lib/session-bus.conf` (no service dirs, so
nothing is activated and left running) runs a small script that starts `Xvfb -displayfd` (a free
display) and `dunst -print`; everything lives in one process group that is stopped as a whole.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.standins.procs import REPO_ROOT, Service

PROBE_TIMEOUT = 15.0  # every wait below is bounded; the whole file runs in a few seconds

_SESSION_SCRIPT = r"""#!/bin/bash
# Runs inside dbus-run-session: Xvfb on a free display, then (optionally) dunst on it.
trap 'kill -TERM $(jobs -p) 2>/dev/null; wait; exit 0' TERM INT HUP
cd "$NOTIFY_WORK"
if [[ $NOTIFY_DUNST == 1 ]]; then
  Xvfb -displayfd 3 -screen 0 640x480x24 -nolisten tcp 3>display.txt >xvfb.log 2>&1 &
  for _ in $(seq 200); do [[ -s display.txt ]] && break; sleep 0.025; done
  [[ -s display.txt ]] || { echo "Xvfb did not start" >&2; exit 1; }
  export DISPLAY=":$(head -n1 display.txt)"
  dunst -print -config "$NOTIFY_WORK/dunstrc" >dunst.log 2>&1 &
else
  sleep 600 &  # keeps the bus up (stopped like everything else)
fi
printf '%s\n%s\n' "$$" "$DBUS_SESSION_BUS_ADDRESS" >info.tmp && mv info.tmp info
wait
"""

# No dmenu, no browser (nothing else gets started); markup on, so dunst offers body-markup.
_DUNSTRC = """\
[global]
    dmenu = /bin/false
    browser = /bin/false
    markup = full
    history_length = 5
[urgency_low]
    timeout = 20
[urgency_normal]
    timeout = 20
[urgency_critical]
    timeout = 0
"""

NOTIFY_TOOLS = ("dbus-run-session", "dbus-send", "dbus-monitor")
DUNST_TOOLS = ("Xvfb", "dunst", "dunstctl")


def _clean_env() -> dict[str, str]:
    drop = ("DBUS_", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "RUST_BACKTRACE", "RUST_LOG")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def probe_bin() -> Path:
    """target/debug/examples/notify_probe; built (once) when it is missing."""
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    path = target / "debug" / "examples" / "notify_probe"
    if not (path.is_file() and os.access(path, os.X_OK)):
        cargo = shutil.which("cargo")
        if not cargo:
            pytest.fail(f"{path} is missing and cargo is not on PATH: run `cargo build -p "
                        "dockpass-core --example notify_probe` (or `cargo test`) first", pytrace=False)
        r = subprocess.run([cargo, "build", "-q", "-p", "dockpass-core", "--example", "notify_probe"],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=1200)
        if r.returncode != 0 or not path.is_file():
            pytest.fail(f"building notify_probe failed ({r.returncode}):\n{r.stderr[-3000:]}",
                        pytrace=False)
    return path


class NotifySession:
    """A private session bus, with Xvfb + dunst on it when `dunst` is true."""

    def __init__(self, workdir: Path, dunst: bool = True, timeout: float = 10.0):
        tools = NOTIFY_TOOLS + (DUNST_TOOLS if dunst else ())
        missing = [t for t in tools if not shutil.which(t)]
        if missing:
            pytest.fail(f"missing {', '.join(missing)}: run scripts/setup", pytrace=False)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "dunstrc").write_text(_DUNSTRC)
        script = self.workdir / "session.sh"
        script.write_text(_SESSION_SCRIPT)
        self.info = self.workdir / "info"
        self.dunst_log = self.workdir / "dunst.log"
        self.home = Path(tempfile.mkdtemp(prefix="dockpass-nt-"))  # short: sockets, lock files
        env = _clean_env()
        env.update({"NOTIFY_WORK": str(self.workdir), "NOTIFY_DUNST": "1" if dunst else "0",
                    "HOME": str(self.home), "XDG_CONFIG_HOME": str(self.home / "config"),
                    "XDG_RUNTIME_DIR": str(self.home)})
        self.script_pid = None
        self.monitor: Service | None = None
        self.service = Service("notify-session",
                               ["dbus-run-session", "--config-file",
                                str(REPO_ROOT / "scripts" / "lib" / "session-bus.conf"),
                                "--", "bash", str(script)],
                               self.workdir / "session.log", env=env)
        try:
            deadline = time.monotonic() + timeout
            while not self.info.exists():
                if not self.service.alive() or time.monotonic() > deadline:
                    raise self.service.fail("no session bus")
                time.sleep(0.02)
            pid, self.address = self.info.read_text().splitlines()[:2]
            self.script_pid = int(pid)
            self.env = {**env, "DBUS_SESSION_BUS_ADDRESS": self.address}
            if dunst:
                while not self.has_owner("org.freedesktop.Notifications"):
                    if not self.service.alive() or time.monotonic() > deadline:
                        raise self.service.fail("dunst did not take org.freedesktop.Notifications; "
                                                f"dunst log:\n{_read(self.dunst_log)}")
                    time.sleep(0.05)
        except BaseException:
            self.stop()
            raise

    def has_owner(self, name: str) -> bool:
        r = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
             "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
            env=self.env, capture_output=True, text=True, timeout=5)
        return r.returncode == 0 and "boolean true" in r.stdout

    def start_monitor(self) -> Path:
        """dbus-monitor recording the Notifications interface and AddMatch calls; returns its log
        once it is monitoring."""
        log = self.workdir / "monitor.log"
        self.monitor = Service("dbus-monitor",
                               ["dbus-monitor", "--session", "interface=org.freedesktop.Notifications",
                                "type=method_call,interface=org.freedesktop.DBus,member=AddMatch"],
                               log, env=self.env)
        # Becoming a monitor drops the connection's unique name: NameLost is its first output.
        deadline = time.monotonic() + 5
        while "member=NameLost" not in _read(log):
            if not self.monitor.alive() or time.monotonic() > deadline:
                raise self.monitor.fail("dbus-monitor is not monitoring")
            time.sleep(0.02)
        return log

    def dunstctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["dunstctl", *args], env=self.env, capture_output=True, text=True,
                              timeout=5)

    def displayed(self) -> int:
        r = self.dunstctl("count", "displayed")
        assert r.returncode == 0, r.stderr
        return int(r.stdout.strip())

    def pgids(self) -> list[int]:
        return [self.service.pgid] + ([self.monitor.pgid] if self.monitor else [])

    def stop(self) -> None:
        if self.monitor:
            self.monitor.stop()
        if self.script_pid and self.service.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.script_pid, signal.SIGTERM)  # stops dunst and Xvfb, then the bus
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.service.proc.wait(timeout=5)
        self.service.stop()
        shutil.rmtree(self.home, ignore_errors=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@pytest.fixture
def notify_session(tmp_path):
    s = NotifySession(tmp_path / "notify")
    yield s
    s.stop()
    assert all(_group_gone(g) for g in s.pgids()), "processes of the notification session are left"


# -- dbus-monitor output -----------------------------------------------------------------------

_HEADER = re.compile(r"^(method call|signal|method return|error) .*?sender=(\S+)")


def monitor_messages(log: Path) -> list[dict]:
    """dbus-monitor's log as [{kind, sender, member, text}] (text: the argument lines)."""
    msgs: list[dict] = []
    for line in _read(log).splitlines():
        m = _HEADER.match(line)
        if m:
            member = re.search(r"member=(\S+)", line)
            msgs.append({"kind": m.group(1), "sender": m.group(2),
                         "member": member.group(1) if member else None, "text": ""})
        elif msgs:
            msgs[-1]["text"] += line + "\n"
    return msgs


def parse_notify(text: str) -> dict:
    """The arguments of a Notify call as printed by dbus-monitor."""
    values = re.findall(r'^\s*(?:variant\s+)?(string|uint32|int32|byte) (.*)$', text, re.M)
    unq = [v[1][1:-1] if v[0] == "string" else int(v[1]) for v in values]
    actions_block = re.search(r"array \[\n(.*?)^\s*\]", text, re.M | re.S)
    actions = re.findall(r'string "(.*)"', actions_block.group(1)) if actions_block else []
    urgency = re.search(r'string "urgency"\s*\n\s*variant\s+byte (\d+)', text)
    return {"app": unq[0], "replaces_id": unq[1], "icon": unq[2], "summary": unq[3],
            "body": unq[4], "actions": actions, "urgency": int(urgency.group(1)) if urgency else None,
            "timeout": unq[-1]}


def _of(msgs: list[dict], member: str) -> list[dict]:
    return [m for m in msgs if m["member"] == member]


def wait_for(what: str, check, timeout: float = 5.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def start_probe(session: NotifySession, *args: str) -> Service:
    return Service("notify_probe", [str(probe_bin()), *args], session.workdir / "probe.log",
                   env=session.env)


def finish(probe: Service, timeout: float = PROBE_TIMEOUT) -> tuple[int, str]:
    try:
        rc = probe.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        probe.stop()
        raise AssertionError(f"notify_probe still running after {timeout:.0f}s:\n{probe.log_tail()}")
    out = probe.log_tail()
    probe.stop()
    return rc, out


# -- tests -------------------------------------------------------------------------------------

def test_expiring_then_expired_replaces_and_log_in_comes_back(notify_session):
    s = notify_session
    mon = s.start_monitor()
    probe = start_probe(s, "--wait-action", "10", "expiring:corp:9", "expired:corp")
    wait_for("the probe's notices", lambda: "ready" in probe.log_tail() or not probe.alive())
    assert probe.alive(), probe.log_tail()

    notifies = wait_for("two Notify calls", lambda: len(_of(monitor_messages(mon), "Notify")) >= 2 and
                        _of(monitor_messages(mon), "Notify"))
    first, second = (parse_notify(m["text"]) for m in notifies[:2])
    assert first["app"] == second["app"] == "Dockpass"
    assert first["summary"] == "Dockpass: corp expires in 9 minutes"
    assert "Log in" in first["body"] and "corp" in first["body"]
    assert second["summary"] == "Dockpass: corp session expired"
    assert second["body"] == "Docker credentials for corp no longer work. Log in to sign in again."
    assert first["actions"] == second["actions"] == ["login", "Log in"]
    assert (first["urgency"], second["urgency"]) == (1, 2)  # normal, then critical
    assert first["timeout"] == second["timeout"] == 0  # stays until acted on or cleared
    # Replaced, not stacked: the second Notify carries the first one's id; one on screen.
    assert first["replaces_id"] == 0
    nid = second["replaces_id"]
    assert nid > 0
    assert s.displayed() == 1
    dunst_log = _read(s.dunst_log)
    assert dunst_log.count(f"id: {nid}\n") == 2, dunst_log
    assert "summary: 'Dockpass: corp session expired'" in dunst_log
    assert "urgency: CRITICAL" in dunst_log and '"login": "Log in"' in dunst_log

    # The action round trip. dunst sends ActionInvoked only to the connection that sent the
    # last Notify: wait until that connection listens (its AddMatch for NotificationClosed is the
    # last step before it reads signals).
    sender = notifies[1]["sender"]
    wait_for("the action waiter's AddMatch", lambda: any(
        m["sender"] == sender and "member='NotificationClosed'" in m["text"]
        for m in _of(monitor_messages(mon), "AddMatch")))
    time.sleep(0.2)
    for _ in range(3):  # a retry only matters on a very slow machine; duplicates are dropped
        r = s.dunstctl("action", "0")
        assert r.returncode == 0, r.stderr
        with contextlib.suppress(AssertionError):
            wait_for("the probe's action", lambda: "action:" in probe.log_tail(), timeout=2)
            break
    rc, out = finish(probe)
    assert rc == 0, out
    assert out.count("action: login corp") == 1, out

    msgs = wait_for("NotificationClosed in the monitor's log", lambda: _of(
        monitor_messages(mon), "NotificationClosed") and monitor_messages(mon))
    invoked = _of(msgs, "ActionInvoked")
    assert invoked and f"uint32 {nid}" in invoked[0]["text"] and 'string "login"' in invoked[0]["text"]
    # The click is used up: Dockpass closes the notification (the login window takes over).
    closes = _of(msgs, "CloseNotification")
    assert len(closes) == 1 and f"uint32 {nid}" in closes[0]["text"], closes
    assert len(_of(msgs, "Notify")) == 2, "a notification was sent twice"
    assert s.displayed() == 0


def test_a_browser_profile_is_asked_to_renew_in_the_browser(notify_session):
    """A profile with login = "browser": the same notice, its action labelled "Renew in browser"
    (the key stays `login`: the app and the daemon renew in the browser when it comes back)."""
    s = notify_session
    mon = s.start_monitor()
    probe = start_probe(s, "expiring-browser:corp:9")
    wait_for("the probe's notice", lambda: "ready" in probe.log_tail() or not probe.alive())
    notify = wait_for("the Notify call", lambda: _of(monitor_messages(mon), "Notify"))
    n = parse_notify(notify[0]["text"])
    assert n["actions"] == ["login", "Renew in browser"]
    assert "Renew in your browser" in n["body"] and "no typing" in n["body"]
    finish(probe)


def test_refresh_failing_has_no_action_escapes_markup_and_clear_closes(notify_session):
    s = notify_session
    mon = s.start_monitor()
    probe = start_probe(s, "--clear", "failing:corp:ECR <unavailable> & retrying",
                        "failing:corp:ECR <unavailable> & retrying")  # the same notice twice
    rc, out = finish(probe)
    assert rc == 0, out
    assert out.count("shown: Dockpass: corp refresh is failing") == 2 and "cleared" in out, out
    msgs = wait_for("NotificationClosed in the monitor's log", lambda: _of(
        monitor_messages(mon), "NotificationClosed") and monitor_messages(mon))
    notifies = _of(msgs, "Notify")
    assert len(notifies) == 1, "showing the notice on screen again must not re-send it"
    n = parse_notify(notifies[0]["text"])
    assert n["summary"] == "Dockpass: corp refresh is failing"
    # dunst offers body-markup: the reason is escaped so it shows as written
    assert n["body"].startswith("ECR &lt;unavailable&gt; &amp; retrying. Dockpass keeps retrying")
    assert n["actions"] == [] and n["urgency"] == 1 and n["timeout"] == -1
    closed = _of(msgs, "NotificationClosed")
    assert "uint32 3" in closed[0]["text"]  # reason 3: closed by CloseNotification
    assert len(_of(msgs, "CloseNotification")) == 1
    assert s.displayed() == 0


def test_without_a_session_bus_the_error_is_one_line(tmp_path):
    env = {**_clean_env(), "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    t0 = time.monotonic()
    r = subprocess.run([str(probe_bin()), "expiring:corp:9"], env=env, capture_output=True,
                       text=True, timeout=10)
    took = time.monotonic() - t0
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert took < 2.0, f"took {took:.2f}s"
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("notify_probe: no D-Bus session bus"), r.stderr
    assert "panicked" not in r.stderr and r.stdout == ""


def test_without_a_notification_server_the_error_is_one_line(tmp_path):
    s = NotifySession(tmp_path / "bare", dunst=False)
    try:
        assert not s.has_owner("org.freedesktop.Notifications")
        t0 = time.monotonic()
        r = subprocess.run([str(probe_bin()), "expired:corp"], env=s.env, capture_output=True,
                           text=True, timeout=10)
        took = time.monotonic() - t0
    finally:
        s.stop()
    assert all(_group_gone(g) for g in s.pgids())
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert took < 2.0, f"took {took:.2f}s"
    assert r.stderr.strip() == (
        "notify_probe: no notification server on the session bus (notifications are off)"), r.stderr
    assert "panicked" not in r.stderr and r.stdout == ""
