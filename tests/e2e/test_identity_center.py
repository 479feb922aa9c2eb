"""IAM Identity Center profiles end to end: `dockpass login` against the Identity Center
stand-in (tests/standins/identity_center.py) through the real AWS SDK, role keys from moto, the
registry checked with skopeo. The browser's PKCE sign-in driven in Debian's Chromium, the
device code flow, the token cache shared with the AWS CLI (the test venv's `aws` reads what
Dockpass wrote; Dockpass uses and renews what the CLI's botocore cached), and bad input."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from support import ACCOUNT, OTHER_ACCOUNT, REGION, assert_one_line_error, finish, opened_url, start_dockpass

from tests.standins import Registry
from tests.standins.browsers import Chromium, browser_opener, chromium_missing_reason
from tests.standins.identity_center import IdentityCenter
from tests.standins.procs import VENV_PYTHON, start_tracked, stop_tracked

START_URL = "https://d-1234567890.awsapps.com/start"
SSO_REGION = "us-east-1"


@pytest.fixture(scope="module")
def ic(moto, tmp_path_factory):
    i = start_tracked(IdentityCenter, tmp_path_factory.mktemp("identity-center"), moto.url)
    yield i
    stop_tracked(i)


@pytest.fixture
def icbox(sandbox, ic):
    """The sandbox with an Identity Center profile `ic` and the SDK pointed at the stand-in."""
    ic.configure(access_token_ttl=3600, refresh=True)
    sandbox.env.update({"AWS_ENDPOINT_URL_SSO": ic.url, "AWS_ENDPOINT_URL_SSO_OIDC": ic.url})
    sandbox.opened = sandbox.root / "opened-urls"
    browser_opener(sandbox.bin_dir, sandbox.opened)
    sandbox.env["BROWSER"] = str(sandbox.bin_dir / "record-browser")
    write_profile(sandbox)
    return sandbox


def write_profile(sandbox, role: str | None = f"{ACCOUNT}/Developer", start_url: str = START_URL,
                  sso_region: str = SSO_REGION) -> None:
    role_line = f'role = "{role}"\n' if role else ""
    sandbox.write_config(f"""[[profile]]
name = "ic"
sso_start_url = "{start_url}"
sso_region = "{sso_region}"
region = "{REGION}"
{role_line}
[[profile.registry]]
account = "{ACCOUNT}"
aliases = ["{sandbox.registry.host}"]
""")


def write_two_accounts(sandbox, other_host: str, own: bool, other_role: str | None = None) -> None:
    """A profile whose registries are in the session's account (when `own`) and in 222222222222."""
    own_registry = f'[[profile.registry]]\naccount = "{ACCOUNT}"\naliases = ["{sandbox.registry.host}"]\n\n' if own else ""
    role_line = f'role = "{other_role}"\n' if other_role else ""
    sandbox.write_config(f"""[[profile]]
name = "ic"
sso_start_url = "{START_URL}"
sso_region = "{SSO_REGION}"
region = "{REGION}"
role = "{ACCOUNT}/Developer"

{own_registry}[[profile.registry]]
account = "{OTHER_ACCOUNT}"
{role_line}aliases = ["{other_host}"]
""")


def cache_file(sandbox, key: str = START_URL) -> Path:
    return sandbox.home / ".aws" / "sso" / "cache" / (hashlib.sha1(key.encode()).hexdigest() + ".json")


def device_code(proc: subprocess.Popen) -> tuple[str, str]:
    """The first stderr line of a --no-browser sign-in: the URL and the code to confirm."""
    line = proc.stderr.readline()
    m = re.search(r"open (\S+) on any device and confirm the code (\S+) ", line)
    assert m, f"no device code line: {line!r}"
    return m.group(1), m.group(2)


def aws_cli(sandbox, ic, moto, *args: str, config: str) -> subprocess.CompletedProcess:
    """The test venv's AWS CLI (botocore's SSO provider) in the sandbox's HOME."""
    conf = sandbox.root / "aws-config"
    conf.write_text(config)
    env = {**sandbox.env, "AWS_CONFIG_FILE": str(conf), "AWS_ENDPOINT_URL_STS": moto.url,
           "AWS_ENDPOINT_URL_SSO": ic.url, "AWS_ENDPOINT_URL_SSO_OIDC": ic.url}
    aws = Path(VENV_PYTHON).parent / "aws"
    return subprocess.run([str(aws), *args], env=env, capture_output=True, text=True, timeout=60)


CLI_PROFILE = f"""[profile x]
sso_start_url = {START_URL}
sso_region = {SSO_REGION}
sso_account_id = {ACCOUNT}
sso_role_name = Developer
region = {REGION}
"""


@pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or "")
def test_pkce_sign_in_in_chromium_then_skopeo_and_the_aws_cli(icbox, ic, moto, image, tmp_path):
    sandbox = icbox
    proc = start_login(sandbox)
    url = opened_url(sandbox)
    assert url.startswith(f"{ic.url}/authorize?") and "code_challenge_method=S256" in url
    chromium = Chromium(tmp_path, tmp_path / "chromium", sandbox.env, extension=False)
    try:
        chromium.open(url)
        chromium.session.wait_for("#allow", 20, "the consent page's Allow").click()
        rc, out, err = finish(proc)
        assert rc == 0, err
        assert "Signed in" in chromium.session.wait_for("#title", 10).text
    finally:
        chromium.stop()
    assert "as Developer @ Platform Prod (111111111111)" in out, out
    assert "If it does not open, visit" in err
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr

    # The cache the AWS CLI reads: the start URL's file, 0600, with the registration.
    path = cache_file(sandbox)
    assert path.stat().st_mode & 0o777 == 0o600
    doc = json.loads(path.read_text())
    assert doc["startUrl"] == START_URL and doc["region"] == SSO_REGION
    assert {"accessToken", "expiresAt", "clientId", "clientSecret", "refreshToken"} <= doc.keys()
    grants = [r.get("grant") for r in ic.requests() if r.get("op") == "CreateToken"]
    assert grants[-1] == "authorization_code", grants

    # The AWS CLI uses Dockpass's sign-in: no `aws sso login`.
    r = aws_cli(sandbox, ic, moto, "sts", "get-caller-identity", "--profile", "x", "--output", "json",
                config=CLI_PROFILE)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Account"] == ACCOUNT

    # The portal's roles are known (the tray's switch, the picker), also with a role named in full.
    rc, out, err = sandbox.run("roles", "--profile", "ic", "--json")
    assert rc == 0, err
    assert {"111111111111/ReadOnly", "222222222222/Developer"} <= {f"{r['account']}/{r['name']}" for r in json.loads(out)}, out

    # status names the account; a second login signs in from the cache, opening nothing.
    rc, out, err = sandbox.run("status", "--profile", "ic", "--json")
    st = json.loads(out)
    assert st["state"] == "active" and st["account"] == ACCOUNT and st["account_name"] == "Platform Prod"
    sandbox.opened.unlink()
    rc, out, err = sandbox.run("login", "--profile", "ic")
    assert rc == 0, err
    assert not sandbox.opened.exists(), "a valid cached token needs no browser"


def test_device_code_sign_in_and_role_choice(icbox, ic, image):
    sandbox = icbox
    write_profile(sandbox, role=None)
    proc = start_login(sandbox, "--no-browser")
    url, code = device_code(proc)
    assert code in url
    ic.approve(code)
    rc, out, err = finish(proc)
    # Three roles in two accounts and none named: the one line lists them, nothing is written.
    assert_one_line_error(rc, out, err.splitlines()[-1] + "\n", 2, "--role", f"{ACCOUNT}/ReadOnly")
    assert sandbox.docker_config_bytes() is None
    # The token is cached already: the choice needs no second sign-in.
    rc, out, err = sandbox.run("login", "--profile", "ic", "--role", f"{OTHER_ACCOUNT}/Developer")
    assert rc == 0, err
    assert f"Platform Staging ({OTHER_ACCOUNT})" in out
    # The choice is remembered.
    rc, out, err = sandbox.run("login", "--profile", "ic")
    assert rc == 0 and f"({OTHER_ACCOUNT})" in out, err


def test_a_token_the_aws_cli_cached_is_used_and_renewed(icbox, ic, image):
    """A cache file as botocore writes it (device code, then its SSOTokenLoader's format), with
    an access token that has expired: Dockpass renews it with the refresh token, keeps the
    CLI's other keys, and signs in without any browser."""
    import botocore.session

    sandbox = icbox
    ic.configure(access_token_ttl=1)
    s = botocore.session.get_session()
    oidc = s.create_client("sso-oidc", region_name=SSO_REGION, endpoint_url=ic.url,
                           aws_access_key_id="x", aws_secret_access_key="x")
    reg = oidc.register_client(clientName="botocore-client-Dev", clientType="public",
                               grantTypes=["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
                               scopes=["sso:account:access"])
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                          startUrl=START_URL)
    ic.approve(dev["userCode"])
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                            grantType="urn:ietf:params:oauth:grant-type:device_code",
                            deviceCode=dev["deviceCode"])
    ic.configure(access_token_ttl=3600)
    path = cache_file(sandbox)
    path.parent.mkdir(parents=True)
    expired = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    path.write_text(json.dumps({
        "startUrl": START_URL, "region": SSO_REGION, "accessToken": tok["accessToken"],
        "expiresAt": expired, "clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
        "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": tok["refreshToken"],
        "botocoreOnly": "kept"}))
    rc, out, err = sandbox.run("login", "--profile", "ic")
    assert rc == 0, err
    assert not sandbox.opened.exists()
    doc = json.loads(path.read_text())
    assert doc["botocoreOnly"] == "kept"
    assert doc["accessToken"] != tok["accessToken"] and doc["expiresAt"] > expired
    grants = [r.get("grant") for r in ic.requests() if r.get("op") == "CreateToken"]
    assert grants[-1] == "refresh_token", grants


def test_a_revoked_sign_in_asks_anew_and_nothing_is_written_until_then(icbox, ic):
    """The portal refuses a cached token that has not expired (revoked, signed out at the
    portal): `dockpass login` does not fail on it until it expires but signs in anew; a code
    not confirmed in time is one line, and nothing was written."""
    sandbox = icbox
    proc = start_login(sandbox, "--no-browser")
    _, code = device_code(proc)
    ic.approve(code)
    rc, out, err = finish(proc)
    assert rc == 0, err
    ic.revoke()
    before = (sandbox.docker_config_bytes(), cache_file(sandbox).read_bytes())
    rc, out, err = sandbox.run("login", "--profile", "ic", "--no-browser", "--timeout", "2s",
                               "--role", f"{OTHER_ACCOUNT}/Developer")
    assert_one_line_error(rc, out, err.splitlines()[-1] + "\n", 3, "was not confirmed in time")
    assert (sandbox.docker_config_bytes(), cache_file(sandbox).read_bytes()) == before
    assert any(r.get("error") == "unauthorized" for r in ic.requests()), "the portal refused the cached token"
    # Confirmed this time: signed in as the other role, the new token cached.
    proc = start_login(sandbox, "--no-browser", "--role", f"{OTHER_ACCOUNT}/Developer")
    _, code = device_code(proc)
    ic.approve(code)
    rc, out, err = finish(proc)
    assert rc == 0 and f"({OTHER_ACCOUNT})" in out, err
    assert cache_file(sandbox).read_bytes() != before[1]


def test_a_declined_or_abandoned_browser_sign_in(icbox, ic, tmp_path):
    if chromium_missing_reason():
        pytest.skip(chromium_missing_reason())
    sandbox = icbox
    proc = start_login(sandbox)
    chromium = Chromium(tmp_path, tmp_path / "chromium", sandbox.env, extension=False)
    try:
        chromium.open(opened_url(sandbox))
        chromium.session.wait_for("#deny", 20, "the consent page's Deny").click()
        rc, out, err = finish(proc)
    finally:
        chromium.stop()
    assert_one_line_error(rc, out, err.splitlines()[-1] + "\n", 3, "declined", "choose Allow")
    assert sandbox.docker_config_bytes() is None and not cache_file(sandbox).exists()
    # The tab closed without an answer: the wait ends at its time with one line.
    rc, out, err = sandbox.run("login", "--profile", "ic", "--timeout", "2s")
    assert_one_line_error(rc, out, err.splitlines()[-1] + "\n", 3, "did not come back", "--no-browser")
    assert sandbox.docker_config_bytes() is None and not cache_file(sandbox).exists()


@pytest.mark.parametrize("start_url,sso_region,says", [
    ("https://acme.okta.com/home/amazon_aws/0oa1/272", SSO_REGION, "not an AWS access portal"),
    ("https://start.us-gov-home.awsapps.com/directory/d-1", "us-east-1", "us-gov-west-1"),
    ("https://ssoins-1.portal.eu-west-1.app.aws", "us-east-1", 'sso_region = "eu-west-1"'),
])
def test_a_wrong_portal_or_region_is_a_config_error(icbox, start_url, sso_region, says):
    sandbox = icbox
    write_profile(sandbox, start_url=start_url, sso_region=sso_region)
    rc, out, err = sandbox.run("login", "--profile", "ic")
    assert_one_line_error(rc, out, err, 2, says)
    assert sandbox.docker_config_bytes() is None
    assert not (sandbox.home / ".aws").exists()


@pytest.fixture(scope="module")
def staging(tmp_path_factory):
    """A registry that takes only account 222222222222's ECR token, with one image."""
    r = start_tracked(Registry, tmp_path_factory.mktemp("staging-registry"), account=OTHER_ACCOUNT)
    yield r, r.push_image("platform/base", "v2")
    stop_tracked(r)


def test_two_accounts_registries_from_one_sign_in(icbox, ic, keyring, image, staging):
    """One Identity Center sign-in, a role per account (the session's role name in the other
    account too): skopeo reads both registries, and a refresh keeps both."""
    sandbox = icbox
    other, other_image = staging
    write_two_accounts(sandbox, other.host, own=True)
    proc = start_login(sandbox, "--no-browser")
    _, code = device_code(proc)
    ic.approve(code)
    rc, out, err = finish(proc)
    assert rc == 0, err
    for ref in (image["ref"], other_image["ref"]):
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{ref}")
        assert r.returncode == 0, (ref, r.stderr)
    calls = [(r.get("account"), r.get("role")) for r in ic.requests() if r["op"] == "GetRoleCredentials"]
    assert (ACCOUNT, "Developer") in calls and (OTHER_ACCOUNT, "Developer") in calls, calls
    rc, out, err = sandbox.run("refresh", "--profile", "ic")
    assert rc == 0, err
    assert other.host in out and sandbox.registry.host in out
    for ref in (image["ref"], other_image["ref"]):
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{ref}")
        assert r.returncode == 0, (ref, r.stderr)


def test_a_role_per_account_that_is_not_there_is_one_line(icbox, ic, staging):
    sandbox = icbox
    other, _ = staging
    write_two_accounts(sandbox, other.host, own=False, other_role="Admin")
    proc = start_login(sandbox, "--no-browser")
    _, code = device_code(proc)
    ic.approve(code)
    rc, out, err = finish(proc)
    assert_one_line_error(rc, out, err.splitlines()[-1] + "\n", 2, "no role Admin in account 222222222222",
                          "Developer")
    assert sandbox.docker_config_bytes() is None


def start_login(sandbox, *args: str) -> subprocess.Popen:
    return start_dockpass(sandbox, "login", "--profile", "ic", *args)
