#!/usr/bin/python3
"""WebKitGTK's own memory floor, for `./scripts/bench app`: one GtkWindow (880x600, the main
window's size) with one WebKitWebView on about:blank, nothing else, measured like the app: the
sum over this process and every process it started (WebKitWebProcess, WebKitNetworkProcess) of
VmRSS and of Pss, after SETTLE seconds. Prints one JSON object.

Runs on the system Python with Debian's GObject bindings (python3-gi, gir1.2-webkit2-4.1; the
bench's venv has no gi), in the environment the bench gives the app (display, bus, GDK_GL).
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

SETTLE = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, i = [root], 0
    while i < len(out):
        out += children.get(out[i], [])
        i += 1
    return out


def kib(path: str, key: str) -> int:
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def measure() -> bool:
    procs = []
    for pid in descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
            procs.append({"pid": pid, "name": name, "rss": kib(f"/proc/{pid}/status", "VmRSS"),
                          "pss": kib(f"/proc/{pid}/smaps_rollup", "Pss")})
        except OSError:
            continue
    print(json.dumps({"rss": sum(p["rss"] for p in procs), "pss": sum(p["pss"] for p in procs),
                      "webkit": WebKit2.get_major_version() * 10000 + WebKit2.get_minor_version() * 100
                      + WebKit2.get_micro_version(), "procs": procs}), flush=True)
    Gtk.main_quit()
    return False


loaded = False


def on_load(_view, event) -> None:
    global loaded
    if event == WebKit2.LoadEvent.FINISHED and not loaded:
        loaded = True
        GLib.timeout_add(int(SETTLE * 1000), measure)


win = Gtk.Window(title="webkit-floor")
win.set_default_size(880, 600)
view = WebKit2.WebView()
view.connect("load-changed", on_load)
win.add(view)
win.show_all()
view.load_uri("about:blank")
GLib.timeout_add_seconds(int(SETTLE) + 60, lambda: sys.exit("webkit_floor: about:blank never loaded"))
Gtk.main()
