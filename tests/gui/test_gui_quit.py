"""The tray's last items (issue 7): "Start at login" writes the XDG autostart entry for this
very app (off until ticked), "Open logs" opens the log folder, and "Quit" really quits: the app's process is gone within
seconds (no window, keeper or socket server keeps it alive) and its credential helper socket
is removed, so helpers fall back to the keychain at once. The app's log file is in the XDG
state folder, with no secret in it.

The menu is driven with the keyboard as in test_gui_tray.py: Up from the freshly opened menu
selects the last item (Quit), two more Ups reach Start at login."""

from __future__ import annotations

import time

from gui_support import DEV_ROLE, app_binary, profile_toml, sandbox_processes
from test_gui_tray import _click, _menus, _tray_icon
from webdriver_client import wait


def app_pids(sandbox) -> list[int]:
    """Live processes of the app binary started for this sandbox."""
    return [pid for pid, _ in sandbox_processes(sandbox)]


def open_menu(gui, x) -> None:
    _, (ix, iy, iw, ih) = wait(lambda: _tray_icon(x), 15, "the app's icon in trayer",
                               lambda: f"; {gui.log_tail()}")
    _click(x, ix + iw // 2, iy + ih // 2)
    wait(lambda: _menus(x), 10, "the tray menu to open")
    time.sleep(0.3)


def test_start_at_login_and_quit_from_the_tray(gui, trayer, pages, sandbox, idp):
    x = gui.x
    page = pages.publish("scan", saml_response=idp.saml_response())
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE))
    entry = sandbox.config_home / "autostart" / "dockpass.desktop"
    run = gui.launch("--tray", "--login")
    gui.wait_status("test", "active", DEV_ROLE)
    sock = sandbox.runtime_dir / "dockpass" / "helper.sock"
    wait(sock.exists, 10, "the app's helper socket")
    pids = wait(lambda: app_pids(sandbox), 10, "the app's process")
    assert not entry.exists(), "start at login must be off until the user turns it on"

    open_menu(gui, x)
    x.xdotool("key", "--delay", "150", "Up", "Up", "Up")
    gui.screen("tray-start-at-login")
    x.xdotool("key", "Return")
    wait(entry.exists, 10, "the autostart entry")
    text = entry.read_text()
    assert f"Exec={app_binary().resolve()} --tray" in text, text
    wait(lambda: not _menus(x), 5, "the menu to close")

    # Open logs hands the log folder to the desktop's opener (a recording stand-in here).
    opened = sandbox.root / "xdg-open.args"
    sandbox.add_script("xdg-open", f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {opened}\n")
    open_menu(gui, x)
    x.xdotool("key", "--delay", "150", "Up", "Up")
    x.xdotool("key", "Return")
    wait(opened.exists, 10, "xdg-open to be called by Open logs")
    assert opened.read_text().strip() == str(sandbox.state_home / "dockpass" / "logs")
    wait(lambda: not _menus(x), 5, "the menu to close")

    open_menu(gui, x)
    x.xdotool("key", "Up")
    gui.screen("tray-quit")
    started = time.monotonic()
    x.xdotool("key", "Return")
    wait(lambda: not app_pids(sandbox), 10, f"the app (pids {pids}) to exit after Quit")
    took = time.monotonic() - started
    assert not sock.exists(), "the helper socket outlived the app"
    gui.note(f"Quit: the process ended {took:.2f} s after the click")
    run.stop()

    # The app kept a log in the platform's log folder (XDG state), secrets never in it.
    logs = sorted((sandbox.state_home / "dockpass" / "logs").glob("dockpass-app.*.log"))
    assert len(logs) == 1, logs
    log = logs[0].read_text()
    assert "dockpass-app" in log and "starting" in log and "quit" in log, log[-2000:]
    assert "auth-token" not in log and "SAMLResponse" not in log and "PHNhbWxwOlJlc3BvbnNl" not in log
