"""The login window offers "Continue in your browser" when the IdP's page asks for a security
key or passkey (WebAuthn), which the embedded view cannot do. The user ticks "Always for this
profile" and presses the button: the window closes without cancelling anything, the profile
switches to `login = "browser"`, and the IdP opens in the browser (`$BROWSER`, recorded here;
the sign-in through the browser itself is test_gui_browser_signin.py).
"""

from __future__ import annotations

import time
import tomllib

from gui_support import DEV_ROLE, profile_toml
from webdriver_client import WebDriverError, wait

from tests.standins.browsers import browser_opener


def test_a_security_key_page_offers_the_browser(gui, pages, sandbox, registry):
    opened = sandbox.root / "opened-urls"
    browser_opener(sandbox.bin_dir, opened)
    sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
    page = pages.publish("webauthn", trigger="dom")
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE, registry_aliases=[registry.host]))

    run = gui.launch("--tray", "--login")
    handle = run.wait_window(page.url, what="the login window at the IdP page")
    run.wait_loaded()
    s = run.session
    s.execute("document.documentElement.setAttribute('data-go', '1');")

    def offer():
        try:
            return s.execute("var b = document.getElementById('dockpass-offer'); return b ? b.textContent : null;")
        except WebDriverError:
            return None

    text = wait(offer, 15, "the login window to offer the browser")
    assert "security key or passkey" in text and "Continue in your browser" in text
    # The page's own call failed as a browser without a key would fail it.
    assert wait(lambda: s.find("#state").text.startswith("failed"), 10, "the page's WebAuthn call to end")
    gui.shot("offer", s)
    s.find("#dockpass-offer-always").click()
    try:
        s.find("#dockpass-continue").click()
    except WebDriverError as e:  # the window may close while the click waits
        if e.error != "no such window":
            raise

    run.watch_until_closed(handle, timeout=20)
    deadline = time.monotonic() + 20
    while not (opened.exists() and opened.read_text().strip()):
        assert time.monotonic() < deadline, f"the app did not open the browser; {gui.log_tail()}"
        time.sleep(0.1)
    assert opened.read_text().split()[-1] == page.url
    profile = tomllib.loads(sandbox.config_path.read_text())["profile"][0]
    assert profile["login"] == "browser", profile
    assert gui.status("test")["state"] == "logged_out"
    # The sign-in waits in the browser: the sign-in socket is there.
    assert (sandbox.runtime_dir / "dockpass" / "signin.sock").exists()
