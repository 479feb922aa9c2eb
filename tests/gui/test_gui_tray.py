"""The tray: trayer is the system tray, xdotool opens the app's menu and picks another role.

The app signs in at start (`--tray --login`, a test IdP page that posts a real saml-idp
assertion at once, the profile's role preselected, no registry configured: the default is
the role's account in us-east-1). Then: click the tray icon, Switch role ▸ Developer @
222222222222. The switch re-uses the last assertion (no new IdP visit) and the docker config
then holds 222222222222.dkr.ecr.us-east-1.amazonaws.com.

Menus are driven with the keyboard (a GTK menu grabs it when it pops up): Down moves over the
enabled items (the status line is disabled), Right opens a submenu on its first item; the
test walks down until Right opens the Switch role submenu.
"""

from __future__ import annotations

import json
import time

from gui_support import ACCOUNT, DEV_ROLE, OTHER_ACCOUNT, OTHER_DEV_ROLE, ecr_host, profile_toml
from webdriver_client import wait

TRAY_ICON_CLASS = "tray-icon tray app dockpass"  # tray-icon's GtkStatusIcon plug window
APP_CLASS = "dockpass-app"                        # the app's own windows, menus included


def _menus(x) -> list[tuple[int, tuple[int, int, int, int]]]:
    """Visible popup menus of the app: (window, geometry), left to right."""
    found = []
    for w in x.windows("--onlyvisible", "--classname", f"^{APP_CLASS}$"):
        try:
            g = x.geometry(w)
        except RuntimeError:
            continue
        if g[2] >= 120 and g[3] >= 60 and x.window_name(w) in ("", APP_CLASS):
            found.append((w, g))
    return sorted(found, key=lambda m: m[1][0])


def _tray_icon(x) -> tuple[int, tuple[int, int, int, int]] | None:
    for w in x.windows("--onlyvisible", "--classname", TRAY_ICON_CLASS):
        try:
            g = x.geometry(w)
        except RuntimeError:
            continue
        if g[0] >= 0 and g[1] >= 0 and g[2] > 1 and g[3] > 1:
            return w, g
    return None


def _open_switch_role(x) -> None:
    """In the open tray menu: walk down the enabled items until Right opens a submenu (the
    only one with a single profile is Switch role), so new items do not break the test."""
    for _ in range(10):
        x.xdotool("key", "--delay", "100", "Down", "Right")
        try:
            wait(lambda: len(_menus(x)) >= 2, 0.6, "a submenu")
            return
        except AssertionError:
            continue
    raise AssertionError(f"no submenu opened from the tray menu; menus: {_menus(x)}")


def _click(x, px: int, py: int) -> None:
    # No --sync: it waits for the pointer to move, forever when it is already there.
    x.xdotool("mousemove", str(px), str(py))
    time.sleep(0.1)
    x.xdotool("click", "1")


def test_tray_switch_role(gui, trayer, pages, sandbox, idp, moto):
    x = gui.x
    response = idp.saml_response()
    page = pages.publish("scan", saml_response=response)
    # Both accounts are the user's: listed, the switch to the other one needs no confirmation
    # (tests/gui/test_gui_trust.py covers an account the profile has not used).
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE,
                                      extra=f'accounts = ["{ACCOUNT}", "{OTHER_ACCOUNT}"]'))
    gui.launch("--tray", "--login")
    gui.wait_status("test", "active", DEV_ROLE)
    gui.wait_docker_host(ecr_host(ACCOUNT))

    state = json.loads((sandbox.state_home / "dockpass" / "state.json").read_text())
    roles = [r["role_arn"] for r in state["profiles"]["test"]["roles"]]
    assert OTHER_DEV_ROLE in roles, roles
    index = roles.index(OTHER_DEV_ROLE)

    icon, (ix, iy, iw, ih) = wait(lambda: _tray_icon(x), 15, "the app's icon in trayer",
                                  lambda: f"; {gui.log_tail()}")
    gui.screen("tray-icon")
    assert not _menus(x), "a menu is open before the click"
    _click(x, ix + iw // 2, iy + ih // 2)
    menu = wait(lambda: _menus(x), 10, "the tray menu to open")
    time.sleep(0.3)  # let it paint
    gui.screen("tray-menu")

    _open_switch_role(x)
    assert menu
    if index:
        x.xdotool("key", "--delay", "150", *(["Down"] * index))
    time.sleep(0.3)
    gui.screen("tray-switch-role-submenu")
    x.xdotool("key", "Return")

    status = gui.wait_status("test", "active", OTHER_DEV_ROLE)
    assert status["account"] == OTHER_ACCOUNT
    hosts = gui.docker_hosts()
    assert ecr_host(OTHER_ACCOUNT) in hosts, sorted(hosts)
    wait(lambda: not _menus(x), 5, "the menus to close")

    calls = moto.saml_calls()
    assert [c["role_arn"] for c in calls] == [DEV_ROLE, OTHER_DEV_ROLE], calls
    assert all(c["assertion"] == response for c in calls), "the switch did not re-use the assertion"
    assert [m for m, _ in page.requests] == ["GET"], f"the IdP was visited again: {page.requests}"

    # The menu follows: open it once more for the record (the check mark moved).
    _click(x, ix + iw // 2, iy + ih // 2)
    wait(lambda: _menus(x), 10, "the tray menu to open again")
    _open_switch_role(x)
    time.sleep(0.3)
    gui.screen("tray-menu-after-switch")
    x.xdotool("key", "Escape", "Escape", "Escape")
