"""The login window in a process of its own (issue 8; src-tauri/src/login_host.rs), as users
run the app on Linux: without WebDriver (under tauri-driver the window stays in the app, so
the WebDriver tests cannot see this path). Driven with X11 and /proc only.

  test_sign_in_through_the_login_process   `--tray --login` with an IdP page that posts its
      SAMLResponse at once: a `dockpass-app --login-window` child shows the window, the app
      signs in with what it hands over (docker config, state), and the child is gone after;
      the tray app itself never started a WebKit process
  test_closing_the_login_window_cancels    the IdP's form stays up; closing the window (the
      window manager's close) ends the child and the attempt, nothing is written; a second
      `--login` opens a new one
  test_the_login_process_ends_with_the_app the app is killed while its login window is open:
      the child sees its input end and closes within seconds (no orphaned window)
  test_continue_in_your_browser_from_the_login_process   a security-key page: the child's offer,
      pressed, reaches the app, which switches the profile to the browser and opens it
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from desktop import PlainApp, send_wm_delete
from gui_support import DEV_ROLE, ecr_host, profile_toml, sandbox_processes
from webdriver_client import wait

LOGIN_TITLE = "^Sign in · test · Dockpass$"


def login_processes(sandbox) -> list[int]:
    return [pid for pid, argv in sandbox_processes(sandbox) if "--login-window" in argv]


def app_processes(sandbox) -> list[int]:
    return [pid for pid, argv in sandbox_processes(sandbox) if "--login-window" not in argv]


def webkit_children(pid: int) -> list[str]:
    """Names of the WebKit processes among `pid`'s descendants."""
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d.name))
    names, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        todo += kids.get(p, [])
        try:
            name = Path(f"/proc/{p}/comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("WebKit"):
            names.append(name)
    return names


def _no_session(sandbox) -> bool:
    path = sandbox.state_home / "dockpass" / "state.json"
    if not path.exists():
        return True
    state = json.loads(path.read_text())
    return not ((state.get("profiles") or {}).get("test") or {}).get("session")


def test_sign_in_through_the_login_process(gui, pages, sandbox, idp, moto):
    page = pages.publish("scan", saml_response=idp.saml_response())
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE))
    app = PlainApp(gui.binary, ["--tray", "--login"], gui.env, gui.artifacts / "app.log")
    try:
        seen: set[int] = set()

        def signed_in():
            seen.update(login_processes(sandbox))
            try:
                return gui.status("test").get("state") == "active"
            except Exception:  # noqa: BLE001 (not written yet)
                return False
        wait(signed_in, 60, "the sign-in through the login window",
             lambda: f"; app log: {app.service.log_tail()}")
        assert seen, "no `dockpass-app --login-window` process showed the login window"
        st = gui.status("test")
        assert st["role_arn"] == DEV_ROLE, st
        auths = json.loads((sandbox.docker_dir / "config.json").read_text())["auths"]
        assert ecr_host() in auths, auths
        wait(lambda: not login_processes(sandbox), 15, "the login process to end after the capture")
        wait(lambda: not gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 10, "the login window to go")
        (main,) = wait(lambda: app_processes(sandbox), 5, "the tray app")
        assert not webkit_children(main), \
            f"the tray app started WebKit for a sign-in: {webkit_children(main)}"
        assert app.alive(), app.service.log_tail()
        assert [c["role_arn"] for c in moto.saml_calls()] == [DEV_ROLE]
    finally:
        app.stop()


def test_closing_the_login_window_cancels(gui, sandbox, sso):
    sandbox.write_config(profile_toml("test", sso.url, role=DEV_ROLE))
    app = PlainApp(gui.binary, ["--tray", "--login"], gui.env, gui.artifacts / "app.log")
    try:
        window = wait(lambda: gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 30, "the login window",
                      lambda: f"; app log: {app.service.log_tail()}")[0]
        wait(lambda: [r for r in sso.requests() if r["path"] == "/aws"], 20, "the IdP form's visit")
        (child,) = wait(lambda: login_processes(sandbox), 5, "the login process")
        time.sleep(1.0)
        gui.x.window_shot(window, gui.artifacts / "login-window.x11.png")
        send_wm_delete(gui.x.display, window)
        wait(lambda: not login_processes(sandbox), 15, "the login process to end with its window")
        assert app.alive(), app.service.log_tail()
        assert _no_session(sandbox)
        assert not (sandbox.docker_dir / "config.json").exists()

        # The attempt ended: a second --login (single instance: the running app) opens a new one.
        again = PlainApp(gui.binary, ["--login"], gui.env, gui.artifacts / "app-again.log")
        try:
            wait(lambda: [p for p in login_processes(sandbox) if p != child], 30,
                 "a new login process for the second --login", lambda: f"; app log: {app.service.log_tail()}")
            wait(lambda: gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 30, "the new login window")
        finally:
            again.stop()
    finally:
        app.stop()


def test_the_login_process_ends_with_the_app(gui, sandbox, sso):
    sandbox.write_config(profile_toml("test", sso.url, role=DEV_ROLE))
    app = PlainApp(gui.binary, ["--tray", "--login"], gui.env, gui.artifacts / "app.log")
    try:
        wait(lambda: gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 30, "the login window",
             lambda: f"; app log: {app.service.log_tail()}")
        (main,) = wait(lambda: app_processes(sandbox), 5, "the tray app")
        wait(lambda: login_processes(sandbox), 5, "the login process")
        os.kill(main, signal.SIGKILL)  # a crash: nothing of the app's own shutdown runs
        wait(lambda: not login_processes(sandbox), 10, "the orphaned login process to close")
        wait(lambda: not gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 10, "the login window to go")
    finally:
        app.stop()


def test_continue_in_your_browser_from_the_login_process(gui, pages, sandbox):
    """The security-key offer in the login window's own process: the choice reaches the app,
    which switches the profile to the browser and opens the IdP there; the child is gone."""
    from tests.standins.browsers import browser_opener
    opened = sandbox.root / "opened-urls"
    browser_opener(sandbox.bin_dir, opened)
    sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
    page = pages.publish("webauthn_continue")
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE))
    app = PlainApp(gui.binary, ["--tray", "--login"], gui.env, gui.artifacts / "app.log")
    try:
        wait(lambda: opened.exists() and opened.read_text().strip(), 60, "the app to open the browser",
             lambda: f"; app log: {app.service.log_tail()}")
        assert opened.read_text().split()[-1] == page.url
        wait(lambda: not login_processes(sandbox), 15, "the login process to end")
        assert 'login = "browser"' in sandbox.config_path.read_text()
        assert (sandbox.runtime_dir / "dockpass" / "signin.sock").exists(), "the sign-in waits in the browser"
        assert _no_session(sandbox)
        assert app.alive(), app.service.log_tail()
    finally:
        app.stop()
