"""First run (issue 7): no config file; the setup creates a profile and signs in.

  test_first_run_setup_creates_a_profile_and_signs_in
      DOCKPASS_CONFIG names a file (and folder) that does not exist. The main window opens the
      setup; the IdP chooser and URL recognition (an Okta URL, an AWS sign-in URL refused, the
      local saml-idp URL with its "not https" warning; all three the backend's check_link); a
      name with a space refused by the backend's check_profile; name, region (eu-west-1 from the list),
      docker mode; "Save and sign in" writes the config file and opens the login window at
      saml-idp; sign in there; the role picker (roles in two accounts); the proposals (the
      role's account configured, the other one offered), one added with its region changed;
      the Done screen; the main view with the active session. Then the files: the config
      parses with the fields entered and the added registry, the docker config has both
      registries' ECR tokens, `dockpass status` agrees. Start at login stayed off (no
      $XDG_CONFIG_HOME/autostart/dockpass.desktop); the settings' toggle writes and removes it.
      The settings editor shows the backend's check_profile answers (a region, a registry
      account) under their fields and keeps Save off.
"""

from __future__ import annotations

import base64
import tomllib

from gui_support import ACCOUNT, DEV_ROLE, OTHER_ACCOUNT, ecr_host
from test_gui_app_flow import sign_in_at_saml_idp
from webdriver_client import wait

from tests.e2e.support import ecr_token

SETUP_REGION = "eu-west-1"
OKTA_URL = "https://acme.okta.com/home/amazon_aws/0oa1b2c3d4e5f6g7h8i9/272"


def type_into(s, css: str, text: str) -> None:
    """Replaces an input's value the way a user does (clear, then keys), so Preact sees input events."""
    el = s.find(css)
    s.execute("var e = document.querySelector(arguments[0]); e.focus(); e.value = '';"
              "e.dispatchEvent(new Event('input', {bubbles: true}));", css)
    if text:
        el.send_keys(text)


def text_of(s, css: str) -> str:
    return s.execute("var e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", css)


def test_first_run_setup_creates_a_profile_and_signs_in(gui, sandbox, idp, moto):
    # No config: not the file, not its folder.
    sandbox.config_path.unlink()
    sandbox.config_path.parent.rmdir()
    autostart_entry = sandbox.config_home / "autostart" / "dockpass.desktop"
    assert not autostart_entry.exists()

    run = gui.launch()
    s = run.session
    run.main_window()
    s.wait_for('[data-testid="setup-connect"]', 30, "the first-run setup", visible=True)
    assert s.execute("return document.querySelector('[data-testid=setup]').dataset.step") == "connect"
    assert not sandbox.config_path.exists(), "the setup wrote the config before Save"

    # The IdP chooser shows where the link is; a pasted URL is recognised.
    chips = s.find_all('[data-testid="idp-choice"]')
    assert [c.text for c in chips] == ["Okta", "Entra ID", "ADFS", "Google", "Keycloak", "Ping", "OneLogin",
                                       "JumpCloud"]
    next(c for c in chips if c.attribute("data-idp") == "entra").click()
    wait(lambda: "launcher.myapps.microsoft.com" in (text_of(s, '[data-testid="setup-idp-hint"]') or ""), 10,
         "the Entra ID hint")
    type_into(s, '[data-testid="setup-idp-url"]', OKTA_URL)
    wait(lambda: s.execute("var e = document.querySelector('[data-testid=setup-url-recognized]');"
                           "return e && e.dataset.idp;") == "okta", 10, "the URL recognised as Okta")
    assert "App Embed Link" in text_of(s, '[data-testid="setup-idp-hint"]')
    assert s.find('[data-testid="setup-name"]').property("value") == "acme"
    s.find(".setup-intro h2").click()  # the pointer off the chips (no hover in the picture)
    gui.shot("setup", s)  # docs/screenshots/setup.png: this screen, cropped to the window

    # An AWS sign-in URL is the ACS, not the IdP: one line, and Save does nothing.
    type_into(s, '[data-testid="setup-idp-url"]', "https://signin.aws.amazon.com/saml")
    problem = s.wait_for('[data-testid="setup-url-problem"][data-severity="error"]', 10, "the AWS sign-in error")
    assert "not your IdP" in problem.text, problem.text
    s.find('[data-testid="setup-save"]').click()
    assert not sandbox.config_path.exists()
    gui.shot("setup-aws-url", s)

    # The local test IdP: http, so a warning that lets the user go on.
    type_into(s, '[data-testid="setup-idp-url"]', idp.url)
    wait(lambda: s.execute("var e = document.querySelector('[data-testid=setup-url-problem]');"
                           "return e && e.dataset.severity;") == "warning", 10, "the not-https warning")
    assert "local test IdP" in text_of(s, '[data-testid="setup-url-problem"]')
    # The name's rule is the backend's (check_profile): a space is refused under the field.
    type_into(s, '[data-testid="setup-name"]', "my team")
    s.find('[data-testid="setup-save"]').click()
    wait(lambda: "not a valid profile name" in (text_of(s, '[data-testid="field-error"][data-field="name"]') or ""),
         10, "the backend's name error")
    assert not sandbox.config_path.exists()
    type_into(s, '[data-testid="setup-name"]', "first")
    wait(lambda: not s.find_all('[data-testid="field-error"][data-field="name"]'), 10, "the name error gone")
    s.execute("var e = document.querySelector('[data-testid=setup-region]'); e.value = arguments[0];"
              "e.dispatchEvent(new Event('change', {bubbles: true}));", SETUP_REGION)
    assert s.find('[data-testid="setup-docker-config"]').property("checked") is True
    assert s.find('[data-testid="setup-autostart"]').property("checked") is False
    gui.shot("setup-filled", s)
    s.find('[data-testid="setup-save"]').click()

    # Saved, then the login window at saml-idp (a WebDriver handle: login.rs under WebDriver).
    wait(lambda: sandbox.config_path.exists(), 15, "the config file", lambda: f"; {gui.log_tail()}")
    run.main_window()
    s.wait_for('[data-testid="setup-signin"]', 15, "the sign-in step", visible=True)
    gui.shot("setup-signing-in", s)
    run.wait_window(idp.url, timeout=30, what="the login window at saml-idp")
    sign_in_at_saml_idp(gui, run, idp.url)

    # Four roles in two accounts: the picker, over the setup.
    run.main_window()
    s.wait_for('[data-testid="role-picker"]', 30, "the role picker", visible=True)
    arns = [o.attribute("data-role-arn") for o in s.find_all('[data-testid="role-option"]')]
    assert DEV_ROLE in arns and len(arns) == 4, arns
    s.find(f'[data-testid="role-option"][data-role-arn="{DEV_ROLE}"]').click()
    wait(lambda: not s.find_all('[data-testid="role-picker"]'), 15, "the picker to close")

    # Proposals: the role's account (configured), the other account offered.
    s.wait_for('[data-testid="setup-registries"]', 30, "the registry proposals", visible=True)
    rows = wait(lambda: s.find_all('[data-testid="proposal"]'), 20, "the proposals",
                lambda: f"; {text_of(s, '[data-testid=setup]')}; {gui.log_tail()}")
    got = {r.attribute("data-account"): r.attribute("data-configured") for r in rows}
    assert got == {ACCOUNT: "true", OTHER_ACCOUNT: "false"}, got
    assert text_of(s, '[data-testid="setup-signed-in"]') == f"Signed in as Developer @ {ACCOUNT}"
    other = f'[data-testid="proposal"][data-account="{OTHER_ACCOUNT}"]'
    assert "Developer" in text_of(s, other)
    assert s.find(f'[data-testid="proposal"][data-account="{ACCOUNT}"] [data-testid="proposal-check"]') \
        .property("disabled") is True
    s.find(f'{other} [data-testid="proposal-check"]').click()
    type_into(s, f'{other} [data-testid="proposal-region"]', "us-east-1")
    wait(lambda: ecr_host(OTHER_ACCOUNT, "us-east-1") in (text_of(s, other) or ""), 10, "the host in us-east-1")
    gui.shot("setup-proposals", s)
    s.find('[data-testid="setup-add"]').click()

    # Done: how to use docker; both registries.
    s.wait_for('[data-testid="setup-done"]', 30, "the Done screen", visible=True)
    want = {ecr_host(ACCOUNT, SETUP_REGION), ecr_host(OTHER_ACCOUNT, "us-east-1")}
    wait(lambda: want <= set(s.execute(
        "return Array.from(document.querySelectorAll('[data-testid=setup-done-hosts] li'))"
        ".map(function (e) { return e.dataset.host; });")), 20, "both registries on the Done screen",
        lambda: f"; {text_of(s, '[data-testid=setup-done]')}")
    assert text_of(s, '[data-testid="setup-docker-cmd"]').startswith("docker pull ")
    gui.shot("setup-done", s)
    s.find('[data-testid="setup-finish"]').click()

    # The main view: the session of the new profile.
    wait(lambda: next((e for e in s.find_all('[data-testid="session"]') if e.attribute("data-state") == "active"),
                      None), 20, "the active session in the main view")
    assert not s.find_all('[data-testid="setup"]')
    assert text_of(s, ".content-head h1") == "first"
    assert text_of(s, '[data-testid="session-role"]') == "Developer"
    hosts = {r.attribute("data-host") for r in s.find_all('[data-testid="registry-row"]')}
    assert want <= hosts, hosts
    gui.shot("session-after-setup", s)

    # The config file: the profile as entered, the registries as a person would write them.
    doc = tomllib.loads(sandbox.config_path.read_text(encoding="utf-8"))
    assert len(doc["profile"]) == 1, doc
    p = doc["profile"][0]
    assert (p["name"], p["idp_url"], p["region"], p.get("docker", "config")) == ("first", idp.url, SETUP_REGION,
                                                                                   "config"), p
    regs = [(r.get("account"), r.get("region", p["region"])) for r in p["registry"]]
    assert sorted(regs) == sorted([(ACCOUNT, SETUP_REGION), (OTHER_ACCOUNT, "us-east-1")]), p["registry"]
    assert "role" not in p, "the setup preselected a role"
    assert oct(sandbox.config_path.stat().st_mode & 0o777) == "0o600"

    # The docker config: the ECR token of each registry, as docker login writes it.
    auths = gui.docker_hosts()
    for host in want:
        assert host in auths, sorted(auths)
        user, _, _ = base64.b64decode(auths[host]["auth"]).decode().partition(":")
        assert user == "AWS", auths[host]
    assert auths[ecr_host(ACCOUNT, SETUP_REGION)]["auth"] == ecr_token(ACCOUNT)
    status = gui.wait_status("first", "active", DEV_ROLE)
    assert want <= {r["host"] for r in status["registries"]}, status
    assert [c["role_arn"] for c in moto.saml_calls()] == [DEV_ROLE]

    # Start at login stayed off; the settings' toggle turns it on and off.
    assert not autostart_entry.exists(), autostart_entry.read_text()
    s.find('[data-testid="tab-settings"]').click()
    box = s.wait_for('[data-testid="autostart-toggle"]', 10, "the start-at-login toggle")
    wait(lambda: box.property("disabled") is False, 10, "the toggle to know the state")
    assert box.property("checked") is False
    s.execute("document.querySelector('[data-testid=autostart-toggle]').scrollIntoView({block: 'center'});")
    box.click()
    wait(lambda: autostart_entry.exists(), 10, "the autostart entry", lambda: f"; {gui.log_tail()}")
    entry = autostart_entry.read_text(encoding="utf-8")
    assert "[Desktop Entry]" in entry and "Exec=" in entry, entry
    wait(lambda: box.property("checked") is True, 10, "the toggle to show on")
    gui.shot("settings-autostart-on", s)
    box.click()
    wait(lambda: not autostart_entry.exists(), 10, "the autostart entry to go")
    assert not s.find_all('[data-testid="autostart-error"]')

    # The settings editor's rules are the backend's (check_profile): a region and a registry
    # account it refuses show under their fields, Save stays off, and Revert leaves the file alone.
    before = sandbox.config_path.read_bytes()
    type_into(s, '[data-testid="settings-form"] [name="region"]', "Frankfurt")
    wait(lambda: "not an AWS region" in (text_of(s, '[data-testid="field-error"][data-field="region"]') or ""),
         10, "the backend's region error", lambda: f"; {gui.log_tail()}")
    type_into(s, '[data-testid="settings-form"] [name="registry.0.account"]', "12345")
    wait(lambda: "12-digit" in (text_of(s, '[data-testid="registry-edit-row"]') or ""), 10,
         "the backend's account error")
    assert s.find('[data-testid="settings-save"]').property("disabled") is True
    s.execute("document.querySelector('[data-testid=settings-form] [name=region]')"
              ".scrollIntoView({block: 'center'});")
    gui.shot("settings-backend-errors", s)
    s.find('[data-testid="settings-revert"]').click()
    wait(lambda: not s.find_all('[data-testid="field-error"]'), 10, "the errors gone after Revert")
    assert sandbox.config_path.read_bytes() == before
