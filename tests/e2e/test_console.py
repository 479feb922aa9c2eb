"""`dockpass console`: the session's role (or a chained one) in the AWS console through the
federation endpoint (a stand-in with its public shapes, tests/standins/federation.py): the
session JSON it receives is the live session's, the link it gives opens the region's console,
the browser gets it through `$BROWSER`, `--print` prints it, and no log or message shows it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from support import OTHER_ACCOUNT, REGION, assert_one_line_error, opened_url

from tests.standins.browsers import browser_opener
from tests.standins.federation import Federation
from tests.standins.procs import start_tracked, stop_tracked

CHAIN_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/EcrReader"


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    f = start_tracked(Federation, tmp_path_factory.mktemp("federation"))
    yield f
    stop_tracked(f)


@pytest.fixture
def signed_in(sandbox, keyring, fed):
    sandbox.write_config(sandbox.profile_toml(extra="credential_process = true")
                         + f'\n[[profile.chain]]\nrole_arn = "{CHAIN_ROLE}"\nregistry = []\n')
    sandbox.login()
    sandbox.env.update({"AWS_ENDPOINT_URL_SIGNIN": fed.url, "DOCKPASS_LOG": "debug"})
    sandbox.opened = sandbox.root / "opened-urls"
    browser_opener(sandbox.bin_dir, sandbox.opened)
    sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
    return sandbox


def follow_once(url: str) -> tuple[int, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    try:
        r = opener.open(url, timeout=10)
        return r.status, ""
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location", "")


def key_of(sandbox, *args: str) -> str:
    rc, out, err = sandbox.run("credentials", *args)
    assert rc == 0, err
    return json.loads(out)["AccessKeyId"]


def test_print_gives_a_link_that_opens_the_regions_console_as_the_role(signed_in, fed):
    rc, out, err = signed_in.run("console", "--print")
    assert rc == 0, err
    url = out.strip()
    assert url.startswith(f"{fed.url}/federation?Action=login&Issuer=dockpass&"), url
    status, location = follow_once(url)
    assert (status, location) == (302, f"https://{REGION}.console.aws.amazon.com/console/home?region={REGION}")
    asked = [r for r in fed.requests() if r["action"] == "getSigninToken"]
    assert asked[-1]["session_id"] == key_of(signed_in)
    assert "SigninToken" not in err and url not in err, "debug logs never show the link"

    rc, out, err = signed_in.run("console", "--print", "--role", "EcrReader")
    assert rc == 0, err
    asked = [r for r in fed.requests() if r["action"] == "getSigninToken"]
    assert asked[-1]["session_id"] == key_of(signed_in, "--role", "EcrReader")


def test_console_opens_the_link_in_the_browser_and_says_so_without_it(signed_in, fed):
    rc, out, err = signed_in.run("console")
    assert rc == 0, err
    url = opened_url(signed_in)
    assert follow_once(url)[0] == 302
    assert out == "" and "Opened the AWS console" in err
    token = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))["SigninToken"]
    assert token not in err and "SigninToken" not in err


def test_no_browser_no_link_in_the_message(signed_in):
    # Neither $BROWSER nor the desktop's opener starts: the message says what to do instead.
    signed_in.env["BROWSER"] = "/no/such/browser"
    rc, out, err = signed_in.run("console", env={"PATH": "/nonexistent"})
    assert rc != 0
    assert "dockpass console --print" in err and "SigninToken" not in err, err


def test_only_for_profiles_that_hand_out_credentials(sandbox, keyring, fed):
    sandbox.login()
    sandbox.env["AWS_ENDPOINT_URL_SIGNIN"] = fed.url
    rc, out, err = sandbox.run("console", "--print")
    assert_one_line_error(rc, out, err, 2, "credential_process = true")
    assert out == ""
