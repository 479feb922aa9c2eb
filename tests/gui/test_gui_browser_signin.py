"""The app signs in through the user's own browser (`login = "browser"`): its Log in
(`--login`; the main window opens too, so WebDriver has a window) opens the IdP with
`$BROWSER` and waits; the user signs in at saml-idp in
Debian's Chromium with the Dockpass extension, whose host hands the response to the waiting
app; the app signs in, and the tab shows the extension's page.
"""

from __future__ import annotations

import time

import pytest

from gui_support import ACCOUNT, DEV_ROLE, profile_toml
from webdriver_client import wait

from tests.standins.browsers import Chromium, browser_opener, have_chromium

EXTENSION_ORIGIN = "chrome-extension://kphpmbblficclfcbieliakfbefcpjoaa/"


def test_the_tray_app_waits_for_the_browser(gui, sandbox, idp, moto, registry, image, tmp_path):
    if not have_chromium():
        pytest.fail("chromium and chromium-driver are not installed: run scripts/setup", pytrace=False)
    opened = sandbox.root / "opened-urls"
    browser_opener(sandbox.bin_dir, opened)
    sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
    (sandbox.config_home / "chromium").mkdir(parents=True, exist_ok=True)
    rc, out, err = sandbox.run("browser", "install")
    assert rc == 0 and "Chromium: wrote" in out, out + err
    sandbox.write_config(profile_toml("test", idp.url, role=DEV_ROLE, registry_aliases=[registry.host],
                                      extra='login = "browser"'))

    run = gui.launch("--login")
    deadline = time.monotonic() + 30
    while not (opened.exists() and opened.read_text().strip()):
        assert time.monotonic() < deadline, f"the app did not open the IdP in the browser; {gui.log_tail()}"
        time.sleep(0.1)
    url = opened.read_text().split()[-1]
    assert url == idp.url
    assert [h for h, u in run.windows().items() if u.startswith(idp.url)] == [], \
        "no login window opens in browser mode"
    # The main window says where the sign-in waits.
    s = run.session
    run.wait_loaded()
    line = wait(lambda: next((e.text for e in s.find_all('[data-testid="login-progress"]')
                              if "browser" in e.text), None), 20, "the main window to say it waits for the browser")
    assert "Sign in in your browser" in line and "Dockpass extension" in line, line
    gui.shot("main-window-waiting-for-the-browser", s)

    chromium = Chromium(tmp_path, sandbox.config_home / "chromium", sandbox.env)
    try:
        chromium.sign_in_at_idp(url)
        status = gui.wait_status("test", "active", DEV_ROLE)
        assert status["account"] == ACCOUNT
        done = chromium.wait_url(lambda u: u.startswith(EXTENSION_ORIGIN + "done.html"), 20,
                                 "the extension's page")
        assert "kind=signed_in" in done
        message = chromium.session.wait_for("#message", 10).text
        assert f"Signed in to profile test as Developer @ {ACCOUNT}" in message
        chromium.session.screenshot(gui.artifacts / "browser-signed-in.png")
    finally:
        chromium.stop()
    assert registry.host in gui.docker_hosts()
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    assert [c["role_arn"] for c in moto.saml_calls()] == [DEV_ROLE]
    # The main window shows the session the browser brought.
    wait(lambda: next((e for e in s.find_all('[data-testid="session"]')
                       if e.attribute("data-state") == "active"), None),
         30, "the session view to show an active session", lambda: f"; {gui.log_tail()}")
    gui.shot("main-window-after-browser-sign-in", s)


def test_cancel_stops_the_wait_for_the_browser(gui, sandbox, idp, registry):
    """The user closed the tab or changed their mind: Cancel in the main window stops the
    sign-in at once; the sign-in socket goes, so the browser would go on to AWS untouched."""
    opened = sandbox.root / "opened-urls"
    browser_opener(sandbox.bin_dir, opened)
    sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
    sandbox.write_config(profile_toml("test", idp.url, role=DEV_ROLE, registry_aliases=[registry.host],
                                      extra='login = "browser"'))
    run = gui.launch("--login")
    s = run.session
    run.wait_loaded()
    wait(lambda: s.find_all('[data-testid="cancel-sign-in"]'), 20, "the Cancel button of the waiting sign-in")
    sock = sandbox.runtime_dir / "dockpass" / "signin.sock"
    assert sock.exists()
    s.find('[data-testid="cancel-sign-in"]').click()
    wait(lambda: not s.find_all('[data-testid="login-progress"]'), 10, "the waiting line to go")
    wait(lambda: not sock.exists(), 10, "the sign-in socket to go")
    assert wait(lambda: "Sign-in cancelled" in s.find("body").text, 10, "the activity to say so")
    assert gui.status("test")["state"] == "logged_out"
    gui.shot("cancelled", s)
