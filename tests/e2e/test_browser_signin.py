"""Signing in with the user's own browser (docs/browser.md), through real parts: Debian's
Chromium with the unpacked Dockpass extension, the native messaging host that
`dockpass browser install` registers, saml-idp, moto, the registry and skopeo.

`$BROWSER` is a script that records the URL Dockpass opens; the test opens that URL in
Chromium and presses saml-idp's Sign in button, as the user would.
"""

from __future__ import annotations

import json
import struct
import subprocess
import time
from pathlib import Path

import pytest

from support import ACCOUNT, ECR_HOST, finish, opened_url, require_binary, start_dockpass  # noqa: F401 (ECR_HOST documents the host)

from tests.standins import Idp
from tests.standins.browsers import AwsSignin, Chromium, browser_opener, have_chromium
from tests.gui.webdriver_client import wait
from tests.standins.procs import free_port

EXTENSION_ORIGIN = "chrome-extension://kphpmbblficclfcbieliakfbefcpjoaa/"


@pytest.fixture
def aws_signin(tmp_path):
    s = AwsSignin(tmp_path / "aws-signin")
    yield s
    s.stop()


@pytest.fixture
def browser_env(sandbox):
    """The sandbox with `$BROWSER` recording URLs, and the host manifests installed."""
    if not have_chromium():
        pytest.fail("chromium and chromium-driver are not installed: run scripts/setup", pytrace=False)
    opened = sandbox.root / "opened-urls"
    browser_opener(sandbox.bin_dir, opened)
    sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
    (sandbox.config_home / "chromium").mkdir(parents=True, exist_ok=True)
    rc, out, err = sandbox.run("browser", "install")
    assert rc == 0, err
    assert "Chromium: wrote" in out, out
    manifest = sandbox.config_home / "chromium/NativeMessagingHosts/dev.dockpass.browser.json"
    m = json.loads(manifest.read_text())
    assert m["allowed_origins"] == [EXTENSION_ORIGIN]
    assert Path(m["path"]).name == "dockpass-browser-host"
    sandbox.opened = opened
    return sandbox


@pytest.fixture
def chromium(browser_env, aws_signin, tmp_path):
    c = Chromium(tmp_path, browser_env.config_home / "chromium", browser_env.env,
                 aws_signin_port=aws_signin.port)
    yield c
    c.stop()


def host(sandbox, message: dict, *args: str) -> tuple[int, dict, str]:
    """Runs the native messaging host as a browser would: one framed message in and out."""
    body = json.dumps(message).encode()
    bin_path = require_binary().parent / "dockpass-browser-host"
    r = subprocess.run([str(bin_path), *args], input=struct.pack("=I", len(body)) + body,
                       env=sandbox.env, capture_output=True, timeout=30)
    (n,) = struct.unpack("=I", r.stdout[:4])
    return r.returncode, json.loads(r.stdout[4:4 + n]), r.stderr.decode()


def test_sign_in_in_chromium_while_the_cli_waits(browser_env, chromium, image, aws_signin):
    sandbox = browser_env
    sandbox.write_config(extra='login = "browser"')
    proc = start_login(sandbox, "--role", f"{ACCOUNT}/Developer")
    url = opened_url(sandbox)
    assert url == sandbox.idp.url
    chromium.sign_in_at_idp(url)
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert "Signed in to profile test as Developer @ 111111111111" in out
    assert "waiting up to 5m" in err
    # The tab shows the extension's page, with what happened.
    done = chromium.wait_url(lambda u: u.startswith(EXTENSION_ORIGIN + "done.html"), 15, "the extension's page")
    assert "kind=signed_in" in done
    msg = wait(lambda: chromium.session.wait_for("#message", 10).text, 10, "the extension page's line")
    assert "Signed in to profile test as Developer @ 111111111111" in msg
    # docker's config holds the registry's credentials, and skopeo pulls with them.
    assert sandbox.registry_host in sandbox.docker_config()["auths"]
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    # Nothing waits any more: the sign-in socket is gone.
    assert not list(sandbox.runtime_dir.glob("dockpass/signin.sock"))


def test_with_nothing_waiting_the_post_goes_to_aws_unchanged(browser_env, chromium, aws_signin):
    sandbox = browser_env
    chromium.sign_in_at_idp(sandbox.idp.url)
    wait_for = time.monotonic() + 20
    while not aws_signin.posts and time.monotonic() < wait_for:
        time.sleep(0.1)
    assert aws_signin.posts, "the IdP's POST did not reach the AWS sign-in stand-in"
    post = aws_signin.posts[0]
    assert post["_path"] == "/saml" and len(post["SAMLResponse"]) > 1000
    chromium.session.wait_for("#console", 15, "the console stand-in's page")
    time.sleep(1)  # the extension's answer ("none") came and went: the tab stays
    assert chromium.current_url().startswith("https://signin.aws.amazon.com/saml")
    assert sandbox.docker_config_bytes() is None
    rc, out, _ = sandbox.run("status", "--json")
    assert json.loads(out)["state"] == "logged_out" if rc == 0 else True


def test_a_post_from_a_page_the_profile_does_not_trust_is_refused(browser_env, chromium):
    sandbox = browser_env
    # The profile's IdP is "localhost"; saml-idp's page is at 127.0.0.1: another origin.
    other = sandbox.idp.url.replace("127.0.0.1", "localhost")
    sandbox.write_config(sandbox.profile_toml(extra='login = "browser"').replace(sandbox.idp.url, other))
    proc = start_login(sandbox, "--timeout", "12s")
    opened_url(sandbox)
    chromium.sign_in_at_idp(sandbox.idp.url)
    done = chromium.wait_url(lambda u: u.startswith(EXTENSION_ORIGIN), 20, "the extension's page")
    assert "kind=refused" in done
    assert "127.0.0.1" in wait(lambda: chromium.session.wait_for("#message", 10).text, 10, "the refusal's line")
    rc, out, err = finish(proc)
    assert rc == 3, err
    lines = err.strip().splitlines()
    assert any("came from http://127.0.0.1" in l for l in lines), err
    assert "no sign-in arrived from the browser in time" in lines[-1]
    assert sandbox.docker_config_bytes() is None


def test_loopback_mode_end_to_end(sandbox, tmp_path, image):
    """The IdP's AWS app has a loopback ACS URL: the browser posts there, no extension needed."""
    if not have_chromium():
        pytest.fail("chromium and chromium-driver are not installed: run scripts/setup", pytrace=False)
    port = free_port()
    idp = Idp(tmp_path / "idp", acs_url=f"http://127.0.0.1:{port}/saml")
    chromium = None
    try:
        sandbox.write_config(sandbox.profile_toml(extra=f'login = "loopback"\nloopback_port = {port}')
                             .replace(sandbox.idp.url, idp.url))
        sandbox.opened = sandbox.root / "opened-urls"
        browser_opener(sandbox.bin_dir, sandbox.opened)
        sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
        proc = start_login(sandbox, "--role", f"{ACCOUNT}/Developer")
        url = opened_url(sandbox)
        chromium = Chromium(tmp_path, tmp_path / "chromium", sandbox.env, extension=False)
        chromium.sign_in_at_idp(url)
        rc, out, err = finish(proc)
        assert rc == 0, err
        assert f"http://127.0.0.1:{port}/saml" in err
        assert "Signed in to profile test as Developer" in out
        assert "Signed in" in chromium.session.wait_for("#title", 10).text
        assert "close this tab" in chromium.session.find("body").text
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
        assert r.returncode == 0, r.stderr
    finally:
        if chromium:
            chromium.stop()
        idp.stop()


def test_the_host_answers_only_the_dockpass_extension(browser_env):
    sandbox = browser_env
    rc, answer, err = host(sandbox, {"type": "ping", "version": "0.1.0"},
                           "chrome-extension://abcdefghijklmnopabcdefghijklmnop/")
    assert rc == 1 and answer["kind"] == "refused"
    assert "only the Dockpass extension" in answer["message"]
    assert len(err.strip().splitlines()) == 1
    rc, answer, _ = host(sandbox, {"type": "ping", "version": "0.1.0"}, EXTENSION_ORIGIN)
    assert rc == 0 and answer == {"kind": "pong", "version": answer["version"], "waiting": False}
    # Nobody waits (no login --browser, or its time is over): the browser goes on.
    rc, answer, _ = host(sandbox, {"type": "handover", "response": "PHg+", "action":
                                   "https://signin.aws.amazon.com/saml", "page": sandbox.idp.url},
                         EXTENSION_ORIGIN)
    assert rc == 0 and answer["kind"] == "none"
    rc, out, _ = sandbox.run("browser", "status")
    assert rc == 0 and "Chromium: ready" in out
    assert "answered from" in out


def test_doctor_checks_the_host_its_manifests_and_the_extension(browser_env):
    sandbox = browser_env
    sandbox.write_config(extra='login = "browser"')

    def finding():
        rc, out, err = sandbox.run("doctor", "--offline", "--json")
        return next(c for c in json.loads(out)["checks"] if c["id"] == "browser-host")

    c = finding()
    assert c["level"] == "warn" and "has not answered yet" in c["summary"], c
    host(sandbox, {"type": "ping", "version": "0.1.0"}, EXTENSION_ORIGIN)  # the extension starts
    c = finding()
    assert c["level"] == "ok" and "Chromium" in c["summary"], c
    manifest = sandbox.config_home / "chromium/NativeMessagingHosts/dev.dockpass.browser.json"
    manifest.write_text(manifest.read_text().replace(EXTENSION_ORIGIN, "chrome-extension://other/"))
    c = finding()
    # An error when Chromium was the only browser; a warning when Firefox is here too.
    assert c["level"] in ("warn", "error") and "does not allow the Dockpass extension" in c["summary"], c
    assert "Chromium" in c["summary"] and c["fix"] == "run dockpass browser install"


def test_sign_in_in_firefox_while_the_cli_waits(browser_env, image, tmp_path):
    """The same extension in Firefox ESR (a temporary add-on over Marionette), its host found
    through ~/.mozilla/native-messaging-hosts/, while `dockpass login --browser` waits."""
    from tests.standins.browsers import Firefox, have_firefox
    if not have_firefox():
        pytest.fail("firefox-esr is not installed: run scripts/setup", pytrace=False)
    sandbox = browser_env
    manifest = sandbox.home / ".mozilla/native-messaging-hosts/dev.dockpass.browser.json"
    assert json.loads(manifest.read_text())["allowed_extensions"] == ["browser@dockpass.dev"]
    sandbox.write_config(extra='login = "browser"')
    firefox = Firefox(tmp_path, sandbox.env)
    try:
        assert firefox.addon == "browser@dockpass.dev"
        proc = start_login(sandbox, "--role", f"{ACCOUNT}/Developer")
        firefox.sign_in_at_idp(opened_url(sandbox))
        rc, out, err = finish(proc)
        assert rc == 0, err
        assert "Signed in to profile test as Developer @ 111111111111" in out
        done = firefox.wait_url(lambda u: u.startswith("moz-extension://") and "done.html" in u, 20,
                                "the extension's page in Firefox")
        assert "kind=signed_in" in done
        # The page writes its line once its script ran: wait for it.
        msg = wait(lambda: firefox.text("#message"), 10, "the extension page's line in Firefox")
        assert "Signed in to profile test" in msg
    finally:
        firefox.stop()
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr


def _handover(sandbox, response: str) -> dict:
    return {"type": "handover", "response": response, "relay_state": "",
            "action": "https://signin.aws.amazon.com/saml", "page": sandbox.idp.url.rstrip("/")}


def test_one_hand_over_per_attempt_and_none_after_its_time(browser_env, tmp_path, moto):
    """Through the real host: while the first hand-over signs in (STS slowed down by the fault
    proxy), a second one is refused with one line; a hand-over after the attempt's time finds
    nobody waiting, and the browser goes on to AWS."""
    from tests.standins import FaultProxy
    sandbox = browser_env
    sandbox.write_config(extra='login = "browser"')
    proxy = FaultProxy(tmp_path / "fp", moto.url)
    try:
        proxy.latency("sts", 3.0, count=1)
        sandbox.env["AWS_ENDPOINT_URL_STS"] = proxy.url
        proc = start_login(sandbox, "--role", f"{ACCOUNT}/Developer")
        opened_url(sandbox)
        sock = sandbox.runtime_dir / "dockpass" / "signin.sock"
        deadline = time.monotonic() + 10
        while not sock.exists():
            assert time.monotonic() < deadline, "no sign-in socket"
            time.sleep(0.02)
        first = subprocess.Popen(
            [str(require_binary().parent / "dockpass-browser-host"), EXTENSION_ORIGIN],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=sandbox.env)
        body = json.dumps(_handover(sandbox, sandbox.idp.saml_response())).encode()
        first.stdin.write(struct.pack("=I", len(body)) + body)
        first.stdin.close()
        time.sleep(1.0)  # the first is with STS now
        rc, answer, _ = host(sandbox, _handover(sandbox, sandbox.idp.saml_response()), EXTENSION_ORIGIN)
        assert answer["kind"] == "refused" and "already has the response" in answer["message"], answer
        assert "\n" not in answer["message"]
        out = first.stdout.read()
        first.wait(timeout=30)
        (n,) = struct.unpack("=I", out[:4])
        assert json.loads(out[4:4 + n])["kind"] == "signed_in"
        rc, _, err = finish(proc)
        assert rc == 0, err
        assert "already has the response" in err  # the CLI says what it refused, too
    finally:
        proxy.stop()
    # The attempt's time is over: its socket is gone, nobody waits.
    proc = start_login(sandbox, "--timeout", "1s")
    rc, _, err = finish(proc)
    assert rc == 3 and "no sign-in arrived from the browser in time" in err
    rc, answer, _ = host(sandbox, _handover(sandbox, sandbox.idp.saml_response()), EXTENSION_ORIGIN)
    assert answer["kind"] == "none" and "continues to AWS" in answer["message"]


def test_after_a_quiet_renewal_the_tab_closes_itself(chromium):
    """The host's answer to a renewal nobody watched carries close: the extension's page says
    so and closes its own tab (the other tabs stay)."""
    s = chromium.session
    first = s.current_handle()
    new = s.cmd("POST", "/window/new", {"type": "tab"})["handle"]
    s.switch_to(new)
    page = EXTENSION_ORIGIN + "done.html?kind=signed_in&message=Signed+in+to+profile+test&close=1"
    chromium.open(page)
    assert "closes by itself" in s.wait_for("#next", 10).text
    s.switch_to(first)
    wait_until_gone = time.monotonic() + 10
    while new in s.handles():
        assert time.monotonic() < wait_until_gone, "the extension's tab did not close itself"
        time.sleep(0.1)
    assert first in s.handles()


def start_login(sandbox, *args: str) -> subprocess.Popen:
    return start_dockpass(sandbox, "login", "--profile", "test", *args)
