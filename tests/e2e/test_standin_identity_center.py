"""The IAM Identity Center stand-in (tests/standins/identity_center.py) spoken to by a real AWS
SDK (botocore, from the test venv): the shapes the Rust SDK will meet, proved before Dockpass
uses them. Device code and PKCE authorization code grants, refresh, the portal's accounts,
roles and role credentials (moto's keys, accepted by ECR on moto for that account), revocation,
and the errors' codes."""

from __future__ import annotations

import base64
import hashlib
import html.parser
import secrets
import urllib.parse
import urllib.request

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.standins.identity_center import IdentityCenter

START_URL = "https://d-1234567890.awsapps.com/start"
REDIRECT = "http://127.0.0.1:49999/oauth/callback"


@pytest.fixture(scope="module")
def ic(moto, tmp_path_factory):
    i = IdentityCenter(tmp_path_factory.mktemp("ic"), moto.url)
    yield i
    i.stop()


def client(service: str, url: str, **creds):
    s = botocore.session.get_session()
    return s.create_client(service, region_name="us-east-1", endpoint_url=url,
                           aws_access_key_id=creds.get("key", "testing"),
                           aws_secret_access_key=creds.get("secret", "testing"),
                           aws_session_token=creds.get("token"),
                           config=Config(retries={"max_attempts": 1}))


class _Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value") or ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser_consents(ic, client_id: str, challenge: str, state: str, decision: str = "allow") -> str:
    """What the user's browser does at the authorize endpoint: the consent page, then Allow."""
    q = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
                                "state": state, "code_challenge": challenge,
                                "code_challenge_method": "S256", "scopes": "sso:account:access"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
    page = opener.open(f"{ic.url}/authorize?{q}", timeout=10).read().decode()
    assert 'id="allow"' in page
    form = _Form()
    form.feed(page)
    body = urllib.parse.urlencode({**form.fields, "decision": decision}).encode()
    try:
        opener.open(urllib.request.Request(f"{ic.url}/authorize/decide", data=body), timeout=10)
    except urllib.error.HTTPError as e:
        assert e.code == 302
        return e.headers["Location"]
    raise AssertionError("no redirect to the loopback")


def test_device_code_then_portal_then_ecr_on_moto(ic, moto):
    oidc = client("sso-oidc", ic.url)
    reg = oidc.register_client(clientName="dockpass-test", clientType="public")
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                          startUrl=START_URL)
    assert dev["verificationUriComplete"].endswith(dev["userCode"])
    grant = dict(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                 grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=dev["deviceCode"])
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        oidc.create_token(**grant)
    ic.approve(dev["userCode"])
    tok = oidc.create_token(**grant)
    assert tok["accessToken"] and tok["refreshToken"] and tok["expiresIn"] > 0

    sso = client("sso", ic.url)
    accounts = sso.list_accounts(accessToken=tok["accessToken"], maxResults=1)
    assert accounts["accountList"][0]["accountName"] == "Platform Prod" and accounts["nextToken"]
    rest = sso.list_accounts(accessToken=tok["accessToken"], nextToken=accounts["nextToken"])
    assert [a["accountId"] for a in rest["accountList"]] == ["222222222222"]
    roles = sso.list_account_roles(accessToken=tok["accessToken"], accountId="111111111111")
    assert [r["roleName"] for r in roles["roleList"]] == ["Developer", "ReadOnly"]
    creds = sso.get_role_credentials(accessToken=tok["accessToken"], accountId="222222222222",
                                     roleName="Developer")["roleCredentials"]
    ecr = client("ecr", moto.url, key=creds["accessKeyId"], secret=creds["secretAccessKey"],
                 token=creds["sessionToken"])
    auth = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    assert base64.b64decode(auth).decode() == "AWS:222222222222-auth-token"
    # Not modelled in the SDKs, but what AWS answers (the AWS CLI shows "ForbiddenException: No access").
    with pytest.raises(ClientError) as e:
        sso.get_role_credentials(accessToken=tok["accessToken"], accountId="222222222222", roleName="Admin")
    assert e.value.response["Error"]["Code"] == "ForbiddenException"


def test_pkce_authorization_code_refresh_and_revoke(ic):
    oidc = client("sso-oidc", ic.url)
    reg = oidc.register_client(clientName="dockpass-test", clientType="public",
                               grantTypes=["authorization_code", "refresh_token"],
                               redirectUris=[REDIRECT], issuerUrl=START_URL, scopes=["sso:account:access"])
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    location = _browser_consents(ic, reg["clientId"], challenge, "st4te")
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert location.startswith(REDIRECT) and q["state"] == "st4te"
    grant = dict(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="authorization_code",
                 code=q["code"], redirectUri=REDIRECT)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(**grant, codeVerifier="not-the-verifier")  # the code is spent by a failed try, too
    location = _browser_consents(ic, reg["clientId"], challenge, "again")
    grant["code"] = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]
    tok = oidc.create_token(**grant, codeVerifier=verifier)
    fresh = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                              grantType="refresh_token", refreshToken=tok["refreshToken"])
    assert fresh["accessToken"] != tok["accessToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):  # a refresh token is used once
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          grantType="refresh_token", refreshToken=tok["refreshToken"])
    denied = _browser_consents(ic, reg["clientId"], challenge, "no", decision="deny")
    assert "error=access_denied" in denied

    sso = client("sso", ic.url)
    assert sso.list_accounts(accessToken=fresh["accessToken"])["accountList"]
    assert ic.revoke() >= 1
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=fresh["accessToken"])
    ops = [r["op"] for r in ic.requests()]
    assert "AuthorizeAllowed" in ops and "AuthorizeDenied" in ops
