"""The GUI test desktop: Xvfb, trayer, a private D-Bus session, tauri-driver, X11 helpers.

  Xvfb       one per pytest session, on a display number it picks itself (-displayfd), 1600x900x24
  trayer     a system tray (XEmbed) for the tray test; the app's icon appears in it
  AppDriver  `dbus-run-session --config-file=<no activation> -- tauri-driver ...` per app launch,
             with the app's environment; the WebDriver session starts the app.

Every process runs in its own session (tests/standins/procs.Service) and is stopped by process
group with bounded waits: PID 1 here reaps no orphans, and nothing is killed by name. The
private bus has no service directories, so nothing is activated on it (no gnome-keyring, no
at-spi, no dunst) and libdbus never autolaunches a bus of its own (DISPLAY is set, so it would).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import select
import shutil
import subprocess
import time
import urllib.error
from pathlib import Path
from typing import Mapping, Sequence

from tests.standins.procs import REPO_ROOT, Service, StandinError, free_port, http_status

from webdriver_client import Session, WebDriverError, capabilities

WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
SCREEN = "1600x900x24"

# A private session bus with no <servicedir>: nothing is ever activated on it (shared with
# scripts/demo).
BUS_CONFIG = REPO_ROOT / "scripts" / "lib" / "session-bus.conf"


def need(tool: str, hint: str = "run scripts/setup") -> str:
    path = shutil.which(tool)
    if not path:
        raise StandinError(f"{tool} is not installed: {hint}")
    return path


def tauri_driver_path() -> str:
    """$TAURI_DRIVER, else tauri-driver on PATH, else ~/.cargo/bin/tauri-driver."""
    env = os.environ.get("TAURI_DRIVER")
    if env:
        return env
    found = shutil.which("tauri-driver")
    if found:
        return found
    cargo_home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    candidate = cargo_home / "bin" / "tauri-driver"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    raise StandinError("tauri-driver is not installed: run scripts/setup "
                       "(cargo install tauri-driver --locked)")


class Xvfb:
    """An X server of our own; `display` is ":N"."""

    def __init__(self, workdir: Path, screen: str = SCREEN, timeout: float = 15.0):
        need("Xvfb")
        workdir.mkdir(parents=True, exist_ok=True)
        rfd, wfd = os.pipe()
        try:
            self.service = Service(
                "Xvfb",
                ["Xvfb", "-displayfd", str(wfd), "-screen", "0", screen, "-nolisten", "tcp",
                 "-noreset"],
                workdir / "xvfb.log", pass_fds=[wfd])
        finally:
            os.close(wfd)
        number = b""
        deadline = time.monotonic() + timeout
        try:
            while not number.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not self.service.alive():
                    self.service.stop()
                    raise self.service.fail("no display number")
                ready, _, _ = select.select([rfd], [], [], min(left, 0.5))
                if ready:
                    chunk = os.read(rfd, 64)
                    if not chunk:
                        if not number.endswith(b"\n"):
                            self.service.stop()
                            raise self.service.fail("closed -displayfd without a display number")
                        break
                    number += chunk
        finally:
            os.close(rfd)
        self.display = f":{int(number.strip())}"
        self.env = {"DISPLAY": self.display}

    def screenshot(self, path: Path) -> Path | None:
        """`import -window root` of the whole screen; None (with a note) when it fails."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["import", "-display", self.display, "-window", "root", str(path)],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            path.with_suffix(".error.txt").write_text(r.stderr)
            return None
        return path

    def window_shot(self, window: int, path: Path) -> Path | None:
        """`import -window ID` of one X11 window (e.g. one WebDriver cannot reach)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["import", "-display", self.display, "-window", str(window), str(path)],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            path.with_suffix(".error.txt").write_text(r.stderr)
            return None
        return path

    def xdotool(self, *args: str, timeout: float = 10.0, check: bool = True) -> str:
        r = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, "DISPLAY": self.display})
        if check and r.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
        return r.stdout

    def windows(self, *search: str) -> list[int]:
        """Window ids `xdotool search ARGS` finds (none: empty list)."""
        out = self.xdotool("search", *search, check=False)
        return [int(w) for w in out.split()]

    def geometry(self, window: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of a window, x/y relative to the root."""
        out = self.xdotool("getwindowgeometry", "--shell", str(window))
        g = dict(line.split("=", 1) for line in out.split() if "=" in line)
        return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])

    def window_name(self, window: int) -> str:
        return self.xdotool("getwindowname", str(window), check=False).strip()

    def close_window(self, window: int) -> None:
        """Ask a window to close as a window manager's close button does (WM_DELETE_WINDOW)."""
        send_wm_delete(self.display, window)

    def stop(self) -> None:
        self.service.stop()


class _XClientMessageEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _XClientMessageEvent), ("pad", ctypes.c_long * 24)]


def send_wm_delete(display: str, window: int) -> None:
    """A WM_PROTOCOLS/WM_DELETE_WINDOW client message to `window` (libX11 through ctypes;
    xdotool 3.2016 cannot send one and there is no window manager under Xvfb)."""
    lib = ctypes.util.find_library("X11")
    if not lib:
        raise RuntimeError("libX11 not found")
    x11 = ctypes.CDLL(lib)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.POINTER(_XEvent)]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f"cannot open display {display}")
    try:
        ev = _XEvent()
        ev.xclient.type = 33  # ClientMessage
        ev.xclient.window = window
        ev.xclient.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        ev.xclient.format = 32
        ev.xclient.data[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        ev.xclient.data[1] = 0  # CurrentTime
        if not x11.XSendEvent(dpy, window, 0, 0, ctypes.byref(ev)):
            raise RuntimeError(f"XSendEvent to window {window} failed")
        x11.XFlush(dpy)
    finally:
        x11.XCloseDisplay(dpy)


class Trayer:
    """trayer as the system tray (an XEmbed tray at the top right of the screen)."""

    def __init__(self, workdir: Path, x: Xvfb, timeout: float = 15.0):
        need("trayer")
        need("xdotool")
        self.x = x
        self.service = Service(
            "trayer",
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32",
             "--SetDockType", "true", "--transparent", "false", "--expand", "true"],
            workdir / "trayer.log", env={**os.environ, **x.env})
        deadline = time.monotonic() + timeout
        while not x.windows("--onlyvisible", "--classname", "panel"):
            if not self.service.alive() or time.monotonic() > deadline:
                self.service.stop()
                raise self.service.fail("no trayer panel window")
            time.sleep(0.05)

    def stop(self) -> None:
        self.service.stop()


class PlainApp:
    """dockpass-app without WebDriver (as users run it): on a private bus of its own, under the
    test's X server; its stderr in `log_path`. Without tauri-driver the login window gets the
    profile's own web data directory (login.rs), which WebDriver runs cannot exercise. Driven
    with xdotool only."""

    def __init__(self, binary: str, args: Sequence[str], env: Mapping[str, str], log_path: Path):
        need("dbus-run-session")
        self.service = Service("dockpass-app", ["dbus-run-session", f"--config-file={BUS_CONFIG}", "--",
                                                binary, *args], log_path, env=dict(env))

    def alive(self) -> bool:
        return self.service.alive()

    def stop(self) -> None:
        self.service.stop()


_DUNSTRC = """\
[global]
    dmenu = /bin/false
    browser = /bin/false
    history_length = 5
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""


class Dunst:
    """dunst (a real notification server) on an app launch's private bus and the test's X server,
    with dbus-monitor recording every call on org.freedesktop.Notifications.

    The launch's bus has no service directories, so nothing is there unless a test starts it:
    `Dunst(workdir, xvfb, run.driver.bus_address)`. `notifies()` parses the Notify calls;
    `action()` invokes the first action of the newest notification (`dunstctl action 0`).
    Both run in sessions of their own and are stopped by process group.
    """

    def __init__(self, workdir: Path, x: Xvfb, bus_address: str, timeout: float = 10.0):
        for tool in ("dunst", "dunstctl", "dbus-monitor", "dbus-send"):
            need(tool)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        rc = self.workdir / "dunstrc"
        rc.write_text(_DUNSTRC)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.workdir),
                    "XDG_CONFIG_HOME": str(self.workdir), "DISPLAY": x.display,
                    "DBUS_SESSION_BUS_ADDRESS": bus_address}
        self.monitor_log = self.workdir / "dbus-monitor.log"
        self.log_path = self.workdir / "dunst.log"
        self.monitor: Service | None = None
        self.service: Service | None = None
        try:
            self.monitor = Service("dbus-monitor", ["dbus-monitor", "--session",
                                                    "interface=org.freedesktop.Notifications"],
                                   self.monitor_log, env=self.env)
            deadline = time.monotonic() + timeout
            # Becoming a monitor drops the connection's unique name: NameLost comes first.
            while "member=NameLost" not in _read(self.monitor_log):
                if not self.monitor.alive() or time.monotonic() > deadline:
                    raise self.monitor.fail("dbus-monitor is not monitoring")
                time.sleep(0.02)
            self.service = Service("dunst", ["dunst", "-print", "-config", str(rc)], self.log_path,
                                   env=self.env)
            while not self.has_owner("org.freedesktop.Notifications"):
                if not self.service.alive() or time.monotonic() > deadline:
                    raise self.service.fail("dunst did not take org.freedesktop.Notifications")
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise

    def has_owner(self, name: str) -> bool:
        r = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
                            "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                           env=self.env, capture_output=True, text=True, timeout=5)
        return r.returncode == 0 and "boolean true" in r.stdout

    def notifies(self) -> list[dict]:
        """The Notify calls so far: [{app, replaces_id, summary, body, actions, urgency}]."""
        calls, cur = [], None
        for line in _read(self.monitor_log).splitlines():
            if line.startswith(("method call", "signal", "method return", "error")):
                cur = [] if ("member=Notify" in line and line.startswith("method call")) else None
                if cur is not None:
                    calls.append(cur)
            elif cur is not None:
                cur.append(line)
        return [_parse_notify("\n".join(c)) for c in calls]

    def action(self, index: int = 0) -> None:
        r = subprocess.run(["dunstctl", "action", str(index)], env=self.env, capture_output=True,
                           text=True, timeout=5)
        if r.returncode != 0:
            raise RuntimeError(f"dunstctl action failed: {r.stderr.strip()}")

    def stop(self) -> None:
        for s in (self.service, self.monitor):
            if s is not None:
                s.stop()


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _parse_notify(text: str) -> dict:
    """A Notify call's arguments as dbus-monitor prints them (see tests/e2e/test_notify.py)."""
    values = re.findall(r'^\s*(?:variant\s+)?(string|uint32|int32|byte) (.*)$', text, re.M)
    unq = [v[1][1:-1] if v[0] == "string" else int(v[1]) for v in values]
    block = re.search(r"array \[\n(.*?)^\s*\]", text, re.M | re.S)
    actions = re.findall(r'string "(.*)"', block.group(1)) if block else []
    urgency = re.search(r'string "urgency"\s*\n\s*variant\s+byte (\d+)', text)
    return {"app": unq[0], "replaces_id": unq[1], "summary": unq[3], "body": unq[4],
            "actions": actions, "urgency": int(urgency.group(1)) if urgency else None}


class AppDriver:
    """tauri-driver on a private D-Bus session, started with the app's environment.

    WebKitWebDriver starts the app with its own environment, so each app launch gets its own
    tauri-driver. The app's stderr ends up in `log_path` (stdout too, through the driver).

    The session is created through tauri-driver (it turns `tauri:options` into WebKitWebDriver's
    capabilities and sets TAURI_AUTOMATION for the app); its later commands go straight to
    WebKitWebDriver on the native port. tauri-driver 2.1.0's proxy drops about one request in
    fifty with "Remote end closed connection" (hyper: "client error (SendRequest)", connection
    reset by WebKitWebDriver on a reused connection), which made the tests flaky; the same
    requests sent to the native port never failed (0 of 240 vs 5 of 240).
    """

    def __init__(self, workdir: Path, env: Mapping[str, str], timeout: float = 20.0):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        need("dbus-run-session")
        if not Path(WEBKIT_DRIVER).exists():
            raise StandinError(f"{WEBKIT_DRIVER} is missing: run scripts/setup (apt package webkit2gtk-driver)")
        driver = tauri_driver_path()
        bus = BUS_CONFIG
        if not bus.is_file():
            raise StandinError(f"{bus} is missing")
        self.port = free_port()
        native_port = free_port()
        while native_port == self.port:
            native_port = free_port()
        self.native_url = f"http://127.0.0.1:{native_port}"
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "tauri-driver-and-app.log"
        # The bus address is only known inside dbus-run-session: a shell writes it to a file
        # (for a notification server a test starts on this bus, see `Dunst`), then execs.
        self.bus_file = self.workdir / "bus-address"
        self.service = Service(
            "tauri-driver",
            ["dbus-run-session", f"--config-file={bus}", "--",
             "sh", "-c", 'printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"',
             str(self.bus_file),
             driver, "--port", str(self.port), "--native-port", str(native_port),
             "--native-driver", WEBKIT_DRIVER],
            self.log_path, env=dict(env))
        deadline = time.monotonic() + timeout
        # Both ends must answer: tauri-driver answers /status before WebKitWebDriver listens,
        # and a new-session request forwarded in that gap dies with "connection error".
        for url, what in ((self.url, "tauri-driver"), (self.native_url, "WebKitWebDriver")):
            while http_status(url + "/status", timeout=1.0) != 200:
                if not self.service.alive() or time.monotonic() > deadline:
                    self.service.stop()
                    raise self.service.fail(f"{what} not answering /status")
                time.sleep(0.05)
        self.sessions: list[Session] = []

    @property
    def bus_address(self) -> str:
        """DBUS_SESSION_BUS_ADDRESS of this launch's private bus (the app's session bus)."""
        deadline = time.monotonic() + 10
        while not self.bus_file.exists():
            if not self.service.alive() or time.monotonic() > deadline:
                raise self.service.fail("no bus address")
            time.sleep(0.02)
        return self.bus_file.read_text().strip()

    def start(self, application: str, args: Sequence[str], timeout: float = 60.0) -> Session:
        try:
            s = Session(self.url, capabilities(application, args), timeout=timeout)
        except (WebDriverError, urllib.error.URLError, OSError) as e:
            raise self.service.fail(f"no WebDriver session for {application} {' '.join(args)}: {e}") from None
        self.sessions.append(s)
        if os.environ.get("DOCKPASS_GUI_VIA_TAURI_DRIVER") != "1":
            s.route_to(self.native_url)
        return s

    def stop(self) -> None:
        for s in self.sessions:
            try:
                s.delete(timeout=10)
            except Exception:  # noqa: BLE001 - the app may be gone already; the group stop follows
                pass
        self.service.stop()
