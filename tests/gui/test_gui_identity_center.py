"""First run with an AWS access portal (issue 17): the setup recognises the portal link, asks
for Identity Center's region, saves an Identity Center profile and signs in in the user's
browser (PKCE): the app opens the authorize URL with `$BROWSER`, the user allows Dockpass in
Debian's Chromium at the Identity Center stand-in, and the browser comes back to the app's
loopback redirect. The session card names the account as the portal does; the docker config
has the account's ECR token; the token cache is the AWS CLI's. The screen behind
`docs/screenshots/identity-center.png`.
"""

from __future__ import annotations

import hashlib
import json
import time
import tomllib

import pytest

from gui_support import ACCOUNT, ecr_host
from test_gui_setup import text_of, type_into
from webdriver_client import wait

from tests.standins.browsers import Chromium, browser_opener, have_chromium
from tests.standins.identity_center import IdentityCenter

PORTAL = "https://acme.awsapps.com/start/#/"
START_URL = "https://acme.awsapps.com/start"


def test_setup_with_a_portal_link_signs_in_through_identity_center(gui, sandbox, moto, tmp_path):
    if not have_chromium():
        pytest.fail("chromium and chromium-driver are not installed: run scripts/setup", pytrace=False)
    ic = IdentityCenter(tmp_path / "identity-center", moto.url, accounts=[
        {"accountId": ACCOUNT, "accountName": "Platform Prod", "emailAddress": "prod@acme.example",
         "roles": ["Developer"]},
    ])
    chromium = None
    try:
        sandbox.env.update({"AWS_ENDPOINT_URL_SSO": ic.url, "AWS_ENDPOINT_URL_SSO_OIDC": ic.url})
        opened = sandbox.root / "opened-urls"
        browser_opener(sandbox.bin_dir, opened)
        sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
        sandbox.config_path.unlink()

        run = gui.launch()
        s = run.session
        run.main_window()
        s.wait_for('[data-testid="setup-connect"]', 30, "the first-run setup", visible=True)
        type_into(s, '[data-testid="setup-idp-url"]', PORTAL)
        wait(lambda: s.execute("var e = document.querySelector('[data-testid=setup-url-recognized]');"
                               "return e && e.dataset.idp;") == "identity-center", 10,
             "the link recognised as an access portal")
        assert "IAM Identity Center" in text_of(s, '[data-testid="setup-idp-hint"]')
        assert s.find('[data-testid="setup-name"]').property("value") == "acme"
        assert s.execute("return document.querySelector('[data-testid=setup-sso-region]') !== null")
        type_into(s, '[data-testid="setup-sso-region"]', "us-east-1")
        s.find(".setup-intro h2").click()
        gui.shot("setup-identity-center", s)
        s.find('[data-testid="setup-save"]').click()

        # The app opens Identity Center's authorize endpoint in the user's browser.
        deadline = time.monotonic() + 30
        while not (opened.exists() and opened.read_text().strip()):
            assert time.monotonic() < deadline, f"the app did not open the browser; {gui.log_tail()}"
            time.sleep(0.1)
        url = opened.read_text().split()[-1]
        assert url.startswith(f"{ic.url}/authorize?") and "code_challenge=" in url, url
        config = tomllib.loads(sandbox.config_path.read_text())
        assert config["profile"][0] == {"name": "acme", "sso_start_url": START_URL, "sso_region": "us-east-1",
                                        "region": config["profile"][0]["region"]}
        chromium = Chromium(tmp_path, tmp_path / "chromium", sandbox.env, extension=False)
        chromium.open(url)
        chromium.session.wait_for("#allow", 20, "the consent page's Allow").click()
        assert "Signed in" in chromium.session.wait_for("#title", 20).text

        status = gui.wait_status("acme", "active", f"arn:aws:iam::{ACCOUNT}:role/Developer")
        assert status["account"] == ACCOUNT and status["account_name"] == "Platform Prod"
        gui.wait_docker_host(ecr_host(ACCOUNT, config["profile"][0]["region"]))
        cache = sandbox.home / ".aws" / "sso" / "cache" / (hashlib.sha1(START_URL.encode()).hexdigest() + ".json")
        assert json.loads(cache.read_text())["startUrl"] == START_URL

        # Through the setup's last steps to the session view, which names the account.
        def step():
            return s.execute("var e = document.querySelector('[data-testid=setup]'); return e && e.dataset.step;")
        wait(lambda: step() in ("registries", "done", None), 30, "the setup to go on after the sign-in",
             lambda: f" (step {step()}); {gui.log_tail()}")
        for testid in ("setup-continue", "setup-skip", "setup-finish"):
            found = s.find_all(f'[data-testid="{testid}"]')
            if found and found[0].property("disabled") is not True:
                found[0].click()
                time.sleep(0.3)
        if step() is not None:
            s.wait_for('[data-testid="setup-finish"]', 20, "the setup's last screen").click()
        wait(lambda: next((e for e in s.find_all('[data-testid="session"]')
                           if e.attribute("data-state") == "active"), None), 30, "the active session view",
             lambda: f"; {gui.log_tail()}")
        assert text_of(s, '[data-testid="session-account-name"]') == "Platform Prod"
        assert text_of(s, '[data-testid="session-role"]') == "Developer"
        gui.shot("identity-center", s)
    finally:
        if chromium:
            chromium.stop()
        ic.stop()
