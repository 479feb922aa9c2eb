"""Only the profile's IdP hands over a SAML response, and only towards AWS sign-in.

The real app under Xvfb, its login window driven through WebDriver. Each page holds a real
SAMLResponse from the stand-in saml-idp (valid for STS: moto would accept it), so the only thing
that stops it is Dockpass's capture rule: nothing is captured, STS gets no call, the docker
config stays byte-identical, the window stays open and says why (a banner at the top of the page,
`#dockpass-refused`), and the activity list has the same line.

`localhost` and `127.0.0.1` are different origins for a browser: the profile's IdP is the page
server at 127.0.0.1, the "attacker" is the same server reached as localhost.
"""

from __future__ import annotations

import time

from capture_pages import ACS_URL
from gui_support import DEV_ROLE, is_aws_signin, profile_toml
from webdriver_client import WebDriverError, wait


def _go(session) -> None:
    session.execute("document.documentElement.setAttribute('data-go', '1');")


def _banner(session) -> str:
    def probe():
        try:
            return session.execute(
                "var b = document.getElementById('dockpass-refused'); return b ? b.textContent : null;")
        except WebDriverError:
            return None
    return wait(probe, 10, "the login window to say why it refused the sign-in")


def _refused(gui, run, moto, sandbox, handle: str, page_url: str, before: bytes | None,
             *must_say: str) -> str:
    s = run.session
    text = _banner(s)
    gui.shot("refused", s)
    for words in must_say:
        assert words in text, f"{words!r} not in the window's line {text!r}"
    time.sleep(1.0)  # a capture would have reached STS and docker by now
    assert handle in s.handles(), "the login window closed: something was taken"
    assert s.current_url == page_url, f"the window left the page: {s.current_url}"
    assert not is_aws_signin(s.current_url)
    assert moto.saml_calls() == [], f"STS got a call: {moto.saml_calls()}"
    assert sandbox.docker_config_bytes() == before, "the docker config changed"
    assert gui.status("test")["state"] == "logged_out"
    return text


def test_a_page_of_another_origin_cannot_hand_over(gui, pages, sandbox, moto, idp, registry):
    """The IdP redirects to a page of another origin, which posts a valid assertion to the AWS
    ACS URL: refused, and the window names that origin and idp_origins."""
    response = idp.saml_response()
    evil = pages.publish("submit", trigger="dom", saml_response=response, submit_with="submit",
                         action=ACS_URL, relay_state="evil")
    evil_url = evil.url.replace("127.0.0.1", "localhost")
    start = pages.publish("redirect", target=evil_url)
    sandbox.write_config(profile_toml("test", start.url, role=DEV_ROLE, registry_aliases=[registry.host]))
    before = sandbox.docker_config_bytes()

    run = gui.launch("--tray", "--login")
    handle = run.wait_window(evil_url, what="the login window at the other origin's page")
    run.wait_loaded()
    gui.shot("other-origin", run.session)
    _go(run.session)
    origin = evil_url.split("/p/")[0]
    text = _refused(gui, run, moto, sandbox, handle, evil_url, before,
                    origin, "not from your IdP", "idp_origins")
    gui.note(f"window said: {text}")
    assert not [m for m, _ in evil.requests if m == "POST"], "the form reached its action"

    # Listing the origin in idp_origins is the way to allow such a hop: then it signs in.
    sandbox.write_config(profile_toml("test", start.url, role=DEV_ROLE, registry_aliases=[registry.host],
                                      extra=f'idp_origins = ["{origin}"]'))
    run.stop()
    evil2 = pages.publish("submit", trigger="now", saml_response=idp.saml_response(),
                          submit_with="submit", action=ACS_URL)
    start2 = pages.publish("redirect", target=evil2.url.replace("127.0.0.1", "localhost"))
    sandbox.write_config(profile_toml("test", start2.url, role=DEV_ROLE, registry_aliases=[registry.host],
                                      extra=f'idp_origins = ["{origin}"]'))
    gui.launch("--tray", "--login")
    gui.wait_status("test", "active", DEV_ROLE)
    assert len(moto.saml_calls()) == 1


def test_the_idps_own_page_posting_elsewhere_is_refused(gui, pages, sandbox, moto, idp, registry):
    """A form on the IdP's own origin whose action is not AWS sign-in: nothing is taken, the
    response does not leave for that site either, and the window says where it was going."""
    other = "http://localhost:9/acs"
    page = pages.publish("submit", trigger="dom", saml_response=idp.saml_response(),
                         submit_with="submit", action=other)
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE, registry_aliases=[registry.host]))
    before = sandbox.docker_config_bytes()

    run = gui.launch("--tray", "--login")
    handle = run.wait_window(page.url, what="the login window at the IdP page")
    run.wait_loaded()
    _go(run.session)
    _refused(gui, run, moto, sandbox, handle, page.url, before,
             "http://localhost:9", "not to AWS sign-in")
