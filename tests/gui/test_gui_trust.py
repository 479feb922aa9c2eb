"""Trust on first use in the app: after a first sign-in, an assertion from another IdP issuer
and one for a role in an account the profile has not used wait for the user.

The real app under Xvfb through WebDriver. The profile signs in once with the CLI (issuer and
account remembered). Then the login window hands over a real assertion (a) of another saml-idp
(another issuer and signing key; moto would accept it) and (b) of the usual IdP for a role in
the second account: each time the main window shows the trust dialog with the new next to the
known, STS gets no call and the docker config stays byte-identical until the user answers.
"Don't sign in" leaves everything as it was; "Trust and sign in" signs in, and the next sign-in
with that issuer needs no confirmation.
"""

from __future__ import annotations

import json
import time

from gui_support import ACCOUNT, DEV_ROLE, OTHER_DEV_ROLE, profile_toml
from webdriver_client import wait

OTHER_ACCOUNT = OTHER_DEV_ROLE.split(":")[4]


def _dialog(run):
    s = run.session
    run.main_window()
    return s.wait_for('[data-testid="trust-dialog"]', 30, "the trust dialog", visible=True)


def _text(s, testid: str) -> str:
    return s.execute(f"var e = document.querySelector('[data-testid={testid}]');"
                     "return e ? e.textContent.trim() : null;")


def _nothing_changed(gui, sandbox, moto, calls: int, docker: bytes | None, role: str) -> None:
    time.sleep(1.0)
    assert len(moto.saml_calls()) == calls, "STS was asked before the user answered"
    assert sandbox.docker_config_bytes() == docker, "the docker config changed before the user answered"
    st = gui.status("test")
    assert st["state"] == "active" and st["role_arn"] == role, st


def _hand_over(gui, pages, sandbox, registry, response: str, role: str):
    page = pages.publish("scan", trigger="now", saml_response=response)
    sandbox.write_config(profile_toml("test", page.url, role=role, registry_aliases=[registry.host]))
    return gui.launch("--login")


def test_a_new_issuer_waits_for_the_user(gui, pages, sandbox, moto, idp, other_idp, registry):
    sandbox.write_config(profile_toml("test", idp.url, role=DEV_ROLE, registry_aliases=[registry.host]))
    sandbox.login(f"{ACCOUNT}/Developer")
    calls, docker = len(moto.saml_calls()), sandbox.docker_config_bytes()

    run = _hand_over(gui, pages, sandbox, registry, other_idp.saml_response(), DEV_ROLE)
    s = run.session
    dialog = _dialog(run)
    assert dialog.attribute("data-profile") == "test"
    gui.shot("trust-dialog-issuer", s)
    assert _text(s, "trust-issuer-new") == other_idp.issuer
    assert _text(s, "trust-issuer-known") == idp.issuer
    assert _text(s, "trust-account-new") is None, "the account is known: no account row"
    _nothing_changed(gui, sandbox, moto, calls, docker, DEV_ROLE)

    s.find('[data-testid="trust-reject"]').click()
    wait(lambda: not s.find_all('[data-testid="trust-dialog"]'), 10, "the dialog to close")
    _nothing_changed(gui, sandbox, moto, calls, docker, DEV_ROLE)
    run.stop()

    run = _hand_over(gui, pages, sandbox, registry, other_idp.saml_response(), DEV_ROLE)
    s = run.session
    _dialog(run)
    s.find('[data-testid="trust-confirm"]').click()
    wait(lambda: len(moto.saml_calls()) == calls + 1, 30, "the confirmed sign-in to reach STS")
    gui.wait_status("test", "active", DEV_ROLE)
    state = json.loads((sandbox.state_home / "dockpass" / "state.json").read_text())
    assert state["profiles"]["test"]["known"]["issuer"] == other_idp.issuer
    run.stop()

    # Known from now on: the same issuer signs in without a question.
    run = _hand_over(gui, pages, sandbox, registry, other_idp.saml_response(), DEV_ROLE)
    wait(lambda: len(moto.saml_calls()) == calls + 2, 30, "the next sign-in to reach STS at once")


def test_a_new_account_waits_for_the_user(gui, pages, sandbox, moto, idp, registry):
    sandbox.write_config(profile_toml("test", idp.url, role=DEV_ROLE, registry_aliases=[registry.host]))
    sandbox.login(f"{ACCOUNT}/Developer")
    calls, docker = len(moto.saml_calls()), sandbox.docker_config_bytes()

    run = _hand_over(gui, pages, sandbox, registry, idp.saml_response(), OTHER_DEV_ROLE)
    s = run.session
    _dialog(run)
    gui.shot("trust-dialog-account", s)
    assert _text(s, "trust-account-new") == OTHER_ACCOUNT
    assert _text(s, "trust-accounts-known") == ACCOUNT
    assert _text(s, "trust-issuer-new") is None, "the issuer is known: no issuer row"
    assert _text(s, "trust-role") == "Developer"
    _nothing_changed(gui, sandbox, moto, calls, docker, DEV_ROLE)

    s.find('[data-testid="trust-confirm"]').click()
    st = gui.wait_status("test", "active", OTHER_DEV_ROLE)
    assert st["account"] == OTHER_ACCOUNT
    assert [c["role_arn"] for c in moto.saml_calls()[calls:]] == [OTHER_DEV_ROLE]
    gui.shot("after-trust", s)
