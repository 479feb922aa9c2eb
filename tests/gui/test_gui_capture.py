"""The login window's SAML capture, on local test IdP pages (tests/gui/pages/), through WebDriver.

Each page holds a real SAMLResponse from the stand-in saml-idp and is the profile's idp_url.
The app starts with `--tray --login`, so the login window is the app's first webview: WebKitGTK
lets WebDriver automate only one WebContext per process (the first one), and the login window
has a context of its own (its per-profile data directory). See README "GUI tests".

For every page: the login window only ever shows the page's URL (never an AWS sign-in URL),
it closes after the capture, the sign-in completes (`dockpass status --json` active, the docker
config has the hosts, skopeo reads the image with it), and the SAMLAssertion that reached STS
is byte-identical to the page's SAMLResponse.
"""

from __future__ import annotations

import json
import time

import pytest

from capture_pages import ACS_URL, REGIONAL_ACS_URL
from gui_support import DEV_ROLE, OTHER_DEV_ROLE, ecr_host, is_aws_signin, profile_toml
from webdriver_client import WebDriverError, wait

# name: (template, page values, how the test triggers the submission, big response)
CASES = {
    # saml-idp's own shape: the form in the HTML, submitted by setTimeout(form.submit, 0)
    "auto_submit": ("scan", {}, None, False),
    "form_submit": ("submit", {"submit_with": "submit"}, "go", False),
    "button_click": ("button", {}, "#continue", False),
    "request_submit": ("submit", {"submit_with": "requestSubmit"}, "go", False),
    "regional_acs": ("submit", {"submit_with": "submit", "action": REGIONAL_ACS_URL}, "go", False),
    "strict_csp": ("csp", {}, "go", False),
    "response_64k": ("scan", {"relay_state": "x" * 2048}, None, True),
    "form_built_after_load": ("late_form", {}, "go", False),
}


def go(session) -> None:
    session.execute("document.documentElement.setAttribute('data-go', '1');")


@pytest.mark.parametrize("case", list(CASES))
def test_capture_page(case, gui, pages, sandbox, moto, idp, big_idp, registry, image):
    template, values, trigger, big = CASES[case]
    response = (big_idp if big else idp).saml_response()
    if big:
        assert len(response) >= 64 * 1024, f"the big response has only {len(response)} characters"
    values = {"relay_state": f"dockpass-gui-{case}", **values}
    page = pages.publish(template, trigger="dom", saml_response=response, **values)
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE, registry_aliases=[registry.host]))

    run = gui.launch("--tray", "--login")
    s = run.session
    seen: list[str] = []
    if trigger is None:
        # The page submits by itself at once: the window may be gone before we look.
        handles = [h for h, url in run.safe_windows().items() if url == page.url] \
            if isinstance(run.safe_windows(), dict) else []
        if handles:
            gui.shot("login-window", s)
            seen = run.watch_until_closed(handles[0])
        else:
            gui.note("the page was captured before WebDriver saw the login window")
    else:
        handle = run.wait_window(page.url, what="the login window at the test page")
        run.wait_loaded()
        wait(lambda: s.title.startswith("Dockpass test IdP"), 10, "the test page's title")
        if template == "csp":
            wait(lambda: s.execute("return document.documentElement.getAttribute('data-hashed-ran')"),
                 10, "the page's own (hashed) script to run under the CSP")
            assert page.csp and "default-src 'none'" in page.csp and "form-action 'none'" in page.csp
            assert s.execute("return document.documentElement.getAttribute('data-unhashed-ran')") is None, \
                "the CSP is not enforced: an inline script without its hash ran"
        if template == "button":
            wait(lambda: s.find("#state").text == "ready", 10, "the button page to be ready")
        gui.shot("login-window", s)
        seen.append(s.current_url)
        if trigger == "go":
            go(s)
        else:
            s.find(trigger).click()
        seen += run.watch_until_closed(handle)

    assert not [u for u in seen if is_aws_signin(u)], f"the login window loaded AWS sign-in: {seen}"
    assert all(u == page.url for u in seen), f"the login window left the IdP page: {seen}"

    status = gui.wait_status("test", "active", DEV_ROLE)
    assert status["account"] == "111111111111"
    hosts = gui.docker_hosts()
    assert ecr_host() in hosts and registry.host in hosts, sorted(hosts)
    gui.shot("after-capture")

    calls = moto.saml_calls()
    assert calls, "no AssumeRoleWithSAML call reached moto"
    for c in calls:
        assert c["role_arn"] == DEV_ROLE
        assert c["assertion"] == response, (
            f"the assertion STS got differs from the page's SAMLResponse "
            f"({len(c['assertion'])} vs {len(response)} characters)")
    assert [m for m, _ in page.requests] and all(m == "GET" for m, _ in page.requests), page.requests

    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, f"skopeo inspect with the app's docker config failed: {r.stderr}"
    assert json.loads(r.stdout)["Digest"] == image["digest"]


def _url_stays(session, url: str, seconds: float) -> list[str]:
    """The URLs the current window shows over `seconds` (sampled)."""
    seen = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        u = session.current_url
        if not seen or seen[-1] != u:
            seen.append(u)
        time.sleep(0.05)
    return seen


def test_navigation_to_aws_signin_is_refused(gui, pages, sandbox, registry):
    """A link and a form post to ACS URLs without a SAMLResponse to capture: both refused."""
    page = pages.publish("acs_refusal", acs_url=REGIONAL_ACS_URL)
    sandbox.write_config(profile_toml("test", page.url, registry_aliases=[registry.host]))
    run = gui.launch("--tray", "--login")
    s = run.session
    handle = run.wait_window(page.url, what="the login window at the test page")
    run.wait_loaded()
    gui.shot("login-window", s)

    attempts = {
        "link (GET) to the regional ACS URL": lambda: s.find("#to-acs").click(),
        "form post without SAMLResponse": lambda: s.find("#post-no-saml").click(),
        "location.href = ACS URL": lambda: s.execute(f"window.location.href = {json.dumps(ACS_URL)};"),
    }
    for what, act in attempts.items():
        try:
            act()
        except WebDriverError as e:  # a cancelled navigation may be reported as an error
            gui.note(f"{what}: WebDriver said {e}")
        seen = _url_stays(s, page.url, 1.0)
        assert seen == [page.url], f"{what}: the login window went to {seen}"
        assert handle in s.handles(), f"{what}: the login window closed"
    gui.shot("after-attempts", s)
    assert gui.status("test")["state"] == "logged_out"
    assert not gui.docker_hosts()


def test_idp_origin_cannot_invoke_commands(gui, pages, sandbox, moto, registry):
    """An IdP page calling Dockpass's commands (logout, overview, ...) is refused; the session stays."""
    page = pages.publish("ipc", profile="test", other_role=OTHER_DEV_ROLE)
    sandbox.write_config(profile_toml("test", page.url, registry_aliases=[registry.host]))
    sandbox.login(f"111111111111/Developer")  # CLI sign-in: a live session to attack
    before = gui.status("test")
    assert before["state"] == "active"
    docker_before = sandbox.docker_config_bytes()
    state_file = sandbox.state_home / "dockpass" / "state.json"
    calls_before = len(moto.saml_calls())

    run = gui.launch("--tray", "--login")
    s = run.session
    run.wait_window(page.url, what="the login window at the IPC probe page")
    run.wait_loaded()
    wait(lambda: s.execute("return document.documentElement.getAttribute('data-done')"), 20,
         "the IPC probe page to finish")
    gui.shot("login-window-ipc-probe", s)
    results = {}
    for el in s.find_all("#results pre"):
        name = el.attribute("id").removeprefix("result-")
        results[name] = (el.attribute("data-outcome"), el.text)
    (gui.artifacts / "ipc-results.json").write_text(json.dumps(results, indent=2) + "\n")

    expected = {"logout", "overview", "login", "pick_role", "config_get", "event_listen", "raw_ipc"}
    assert set(results) == expected, results
    allowed = {k: v for k, v in results.items() if v[0] == "allowed"}
    assert not allowed, f"an IdP page reached Dockpass: {allowed}"
    internals = s.execute("return document.documentElement.getAttribute('data-tauri-internals')")
    if internals == "object":  # Tauri's IPC is there, the ACL must be what refuses
        for cmd in ("logout", "overview", "login", "pick_role", "config_get"):
            outcome, text = results[cmd]
            assert outcome == "refused" and "not allowed" in text, (cmd, outcome, text)
    assert s.execute("return document.documentElement.getAttribute('data-tauri-global')") == "undefined"

    after = gui.status("test")
    assert after["state"] == "active" and after["role_arn"] == before["role_arn"] == DEV_ROLE
    assert sandbox.docker_config_bytes() == docker_before, "the docker config changed"
    assert state_file.exists()
    assert len(moto.saml_calls()) == calls_before, "an STS call happened"
