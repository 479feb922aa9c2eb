"""Watch an X server: every top-level window created, mapped, unmapped or destroyed, and the
input focus, as JSON lines. A window that is mapped for a few milliseconds between two polls of
`xdotool search --onlyvisible` is still seen here (SubstructureNotify on the root window).

  python x11watch.py :N            # one JSON object per line on stdout; SIGTERM stops it
  X11Watch(display, log_path)      # the same as a Service; .events(), .focus_changes()

Lines: {"at": epoch seconds, "event": "ready"|"create"|"map"|"unmap"|"destroy"|"focus",
"window": id, "name": _NET_WM_NAME or WM_NAME (map only), "class": [res_name, res_class] (map
only), "override_redirect": bool (create/map)}. "focus" lines carry the window XGetInputFocus
reports (1 = PointerRoot, 0 = None) and come at start and on every change (polled every 50 ms).
Xlib's default error handler would exit the process on a BadWindow (a window gone before its
name was read): a no-op handler is installed, and a vanished window just has no name.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import select
import signal
import sys
import time
from pathlib import Path

_CREATE, _DESTROY, _UNMAP, _MAP = 16, 17, 18, 19
_SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
_NAMES = {_CREATE: "create", _DESTROY: "destroy", _UNMAP: "unmap", _MAP: "map"}


class _Sub(ctypes.Structure):  # XMapEvent, XUnmapEvent, XDestroyWindowEvent (leading fields)
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("event", ctypes.c_ulong), ("window", ctypes.c_ulong),
                ("flag", ctypes.c_int)]  # map: override_redirect; unmap: from_configure


class _Create(ctypes.Structure):  # XCreateWindowEvent
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("parent", ctypes.c_ulong), ("window", ctypes.c_ulong),
                ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                ("height", ctypes.c_int), ("border_width", ctypes.c_int),
                ("override_redirect", ctypes.c_int)]


class _Event(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("sub", _Sub), ("create", _Create), ("pad", ctypes.c_long * 24)]


class _ClassHint(ctypes.Structure):  # char pointers as void*: Xlib's memory, freed with XFree
    _fields_ = [("res_name", ctypes.c_void_p), ("res_class", ctypes.c_void_p)]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def _xlib():
    lib = ctypes.util.find_library("X11")
    if not lib:
        raise RuntimeError("libX11 not found")
    x = ctypes.CDLL(lib)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
    x.XPending.argtypes = [ctypes.c_void_p]
    x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Event)]
    x.XConnectionNumber.argtypes = [ctypes.c_void_p]
    x.XGetInputFocus.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int)]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XGetWindowProperty.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
        ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))]
    x.XGetClassHint.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_ClassHint)]
    x.XFree.argtypes = [ctypes.c_void_p]
    x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XSetErrorHandler.argtypes = [_ERROR_HANDLER]
    x.XSetErrorHandler.restype = ctypes.c_void_p
    return x


def watch(display: str, out=sys.stdout, interval: float = 0.05) -> None:
    x = _xlib()
    handler = _ERROR_HANDLER(lambda d, e: 0)
    x.XSetErrorHandler(handler)
    dpy = x.XOpenDisplay(display.encode())
    if not dpy:
        raise SystemExit(f"x11watch: cannot open display {display}")
    root = x.XDefaultRootWindow(dpy)
    x.XSelectInput(dpy, root, _SUBSTRUCTURE_NOTIFY_MASK)
    x.XSync(dpy, 0)
    utf8 = x.XInternAtom(dpy, b"UTF8_STRING", 0)
    net_name = x.XInternAtom(dpy, b"_NET_WM_NAME", 0)
    wm_name = x.XInternAtom(dpy, b"WM_NAME", 0)
    any_type = 0

    def prop(window: int, atom: int, req: int) -> str | None:
        actual, fmt = ctypes.c_ulong(), ctypes.c_int()
        n, after = ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        if x.XGetWindowProperty(dpy, window, atom, 0, 1024, 0, req, ctypes.byref(actual), ctypes.byref(fmt),
                                ctypes.byref(n), ctypes.byref(after), ctypes.byref(data)) != 0:
            return None
        if not data:
            return None
        try:
            if fmt.value != 8 or not n.value:
                return None
            raw = ctypes.string_at(data, n.value)
            return raw.decode("utf-8", "replace") if actual.value == utf8 else raw.decode("latin-1")
        finally:
            x.XFree(data)

    def wm_class(window: int) -> list[str] | None:
        hint = _ClassHint()
        if not x.XGetClassHint(dpy, window, ctypes.byref(hint)):
            return None
        out = []
        for ptr in (hint.res_name, hint.res_class):
            out.append(ctypes.string_at(ptr).decode("utf-8", "replace") if ptr else "")
            if ptr:
                x.XFree(ptr)
        return out

    def emit(obj: dict) -> None:
        obj = {"at": round(time.time(), 3), **obj}
        out.write(json.dumps(obj) + "\n")
        out.flush()

    def focus() -> int:
        w, r = ctypes.c_ulong(), ctypes.c_int()
        x.XGetInputFocus(dpy, ctypes.byref(w), ctypes.byref(r))
        return w.value

    running = [True]

    def stop(signum, frame):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    last_focus = focus()
    emit({"event": "ready", "root": root})
    emit({"event": "focus", "window": last_focus})
    fd = x.XConnectionNumber(dpy)
    ev = _Event()
    while running[0]:
        try:
            select.select([fd], [], [], interval)
        except InterruptedError:
            continue
        while x.XPending(dpy):
            x.XNextEvent(dpy, ctypes.byref(ev))
            kind = _NAMES.get(ev.type)
            if kind is None:
                continue
            if ev.type == _CREATE:
                emit({"event": kind, "window": ev.create.window,
                      "override_redirect": bool(ev.create.override_redirect),
                      "size": [ev.create.width, ev.create.height]})
            elif ev.type == _MAP:
                w = ev.sub.window
                emit({"event": kind, "window": w, "override_redirect": bool(ev.sub.flag),
                      "name": prop(w, net_name, utf8) or prop(w, wm_name, any_type), "class": wm_class(w)})
            else:
                emit({"event": kind, "window": ev.sub.window})
        now_focus = focus()
        if now_focus != last_focus:
            last_focus = now_focus
            emit({"event": "focus", "window": now_focus})


class X11Watch:
    """x11watch.py as a service (own session, stopped by process group); events in `log_path`."""

    def __init__(self, display: str, log_path: Path, timeout: float = 10.0):
        from tests.standins.procs import Service

        self.log_path = Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.service = Service("x11watch", [sys.executable, "-u", str(Path(__file__).resolve()), display],
                               self.log_path, env={"PATH": "/usr/bin:/bin", "DISPLAY": display})
        deadline = time.monotonic() + timeout
        while not any(e.get("event") == "ready" for e in self.events()):
            if not self.service.alive() or time.monotonic() > deadline:
                self.service.stop()
                raise self.service.fail("not watching")
            time.sleep(0.02)

    def events(self, since: float = 0.0) -> list[dict]:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("at", 0) >= since:
                out.append(e)
        return out

    def alive(self) -> bool:
        return self.service.alive()

    def focus_changes(self, since: float = 0.0) -> list[dict]:
        return [e for e in self.events(since) if e.get("event") == "focus"]

    def stop(self) -> None:
        self.service.stop()


if __name__ == "__main__":
    watch(sys.argv[1])
