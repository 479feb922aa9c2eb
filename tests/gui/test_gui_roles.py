"""Several roles from one sign-in, with account names, in the real app: one assertion (saml-idp,
posted by the login window) signs in to the profile's two `roles`; the session card shows the
session's account by its name and the other role under "Also signed in"; docker gets both
accounts' registries."""

from __future__ import annotations

from gui_support import ACCOUNT, DEV_ROLE, ecr_host, profile_toml
from webdriver_client import wait

OTHER = "222222222222"
OTHER_ROLE = f"arn:aws:iam::{OTHER}:role/Developer"


def test_two_roles_and_account_names_in_the_session_card(gui, pages, sandbox, idp, moto, registry):
    response = idp.saml_response()
    page = pages.publish("submit", trigger="server", saml_response=response, submit_with="submit")
    extra = f'roles = ["{ACCOUNT}/Developer", "{OTHER}/Developer"]'
    sandbox.write_config(
        profile_toml("test", page.url, registry_aliases=[registry.host], extra=extra)
        + f'\n[profile.accounts]\n"{ACCOUNT}" = "dev"\n"{OTHER}" = "shared services"\n')
    calls = len(moto.saml_calls())
    run = gui.launch("--login")
    s = run.session
    run.main_window()
    s.wait_for('[data-testid="session"]', 30, "the main window's session view", visible=True)
    wait(lambda: [m for m, _ in page.requests], 20, "the login window to load the test page")
    page.release()

    status = gui.wait_status("test", "active", DEV_ROLE)
    assert status["account_name"] == "dev"
    assert [(c["role_arn"], c.get("sign_in"), c.get("account_name")) for c in status["chain"]] == [
        (OTHER_ROLE, True, "shared services")]
    assert sorted(c["role_arn"] for c in moto.saml_calls()[calls:]) == sorted([DEV_ROLE, OTHER_ROLE])
    hosts = gui.wait_docker_host(ecr_host(OTHER)) and gui.docker_hosts()
    assert ecr_host(ACCOUNT) in hosts and registry.host in hosts, sorted(hosts)
    assert not s.find_all('[data-testid="role-picker"]'), "roles names the session's role: no picker"

    def text_of(css: str) -> str:
        return s.execute(f"var e = document.querySelector('{css}'); return e ? e.textContent : '';")

    wait(lambda: text_of('[data-testid=session-account-name]').strip() == "dev", 15, "the account's name")
    s.wait_for('[data-testid="signin-roles"]', 15, "the other role of the sign-in", visible=True)
    rows = s.find_all('[data-testid="signin-roles"] [data-testid="chain-row"]')
    assert [r.attribute("data-role-arn") for r in rows] == [OTHER_ROLE]
    listed = text_of('[data-testid=signin-roles]')
    assert "Also signed in" in listed and "shared services" in listed and OTHER in listed, listed
    gui.shot("several-roles", s)
