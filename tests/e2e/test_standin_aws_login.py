"""The AWS Sign-In token endpoint stand-in and the `aws login` cache writer
(tests/standins/aws_login.py), checked with plain Python (urllib, cryptography) and with
botocore's own `signin` model: the cache file where and as the SDKs read it, a refresh round
trip with a DPoP proof whose keys ECR on moto accepts, every check of the proof, and an ended
session answered as AWS does."""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
import stat
import time
import urllib.error
import urllib.request
from pathlib import Path

import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from cryptography.hazmat.primitives.asymmetric import ec

from tests.standins.aws_login import (
    AwsLogin,
    cache_path,
    dpop_proof,
    load_dpop_key,
    profile_config,
    public_jwk,
    write_login_cache,
)
from tests.standins.procs import no_proxy_opener

ROLE_ARN = "arn:aws:sts::111111111111:assumed-role/Admin/dev"
USER_ARN = "arn:aws:iam::222222222222:user/dev"
# The scalar of aws-config 1.13.0 src/login/dpop.rs TEST_KEY (a public test vector), whose header
# coordinates that file asserts.
SDK_TEST_KEY_D = 0x1301FD1C10111B15A2A591406E332BC0A76806B975FAE96E6FBDB45741877CF8


@pytest.fixture(scope="module")
def signin(moto, tmp_path_factory):
    s = AwsLogin(tmp_path_factory.mktemp("aws-login"), moto.url)
    yield s
    s.stop()


def _b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _post(url: str, doc: dict, proof: str | None) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/json"} | ({"DPoP": proof} if proof else {})
    req = urllib.request.Request(url, data=json.dumps(doc).encode(), headers=headers, method="POST")
    try:
        with no_proxy_opener().open(req, timeout=20) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


def _refresh_body(cache: dict, refresh_token: str | None = None) -> dict:
    return {"clientId": cache["clientId"], "grantType": "refresh_token",
            "refreshToken": refresh_token or cache["refreshToken"]}


def _epoch(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def _client(service: str, url: str, creds: dict | None = None):
    """botocore against a stand-in: unsigned without keys (Sign-In's token call is noAuth)."""
    config = Config(retries={"max_attempts": 1}, **({} if creds else {"signature_version": UNSIGNED}))
    creds = creds or {}
    return botocore.session.get_session().create_client(
        service, region_name="us-east-1", endpoint_url=url, config=config,
        aws_access_key_id=creds.get("accessKeyId"), aws_secret_access_key=creds.get("secretAccessKey"),
        aws_session_token=creds.get("sessionToken"))


def test_cache_file_as_aws_login_writes_it(tmp_path):
    # The SDK's own file-name vectors (src/login/cache.rs): hex SHA-256 of the trimmed ARN.
    home = Path("/home/someuser")
    for arn in ("arn:aws:iam::0123456789012:user/Admin", "  arn:aws:iam::0123456789012:user/Admin  "):
        assert cache_path(home, arn) == home / ".aws/login/cache" / (
            "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726.json")
    # The public key goes into the DPoP header as the SDK puts it.
    sdk_key = ec.derive_private_key(SDK_TEST_KEY_D, ec.SECP256R1())
    assert public_jwk(sdk_key) == {"kty": "EC", "x": "Wb1VLi1EA2hJaTz4yYuxSELvY-1GAfL-8rUTCAdiFic",
                                   "y": "fOwX-hmPrNvtUaag79EaWYgyDAq2a7AIfkSvUt0Amhg", "crv": "P-256"}

    path = write_login_cache(tmp_path, USER_ARN, expired=True)
    assert path == tmp_path / ".aws/login/cache" / (hashlib.sha256(USER_ARN.encode()).hexdigest() + ".json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert list(doc) == ["accessToken", "tokenType", "clientId", "refreshToken", "idToken", "dpopKey"]
    assert list(doc["accessToken"]) == [
        "accessKeyId", "secretAccessKey", "sessionToken", "accountId", "expiresAt"]
    assert doc["accessToken"]["accountId"] == "222222222222" and doc["tokenType"] == "aws_sigv4"
    assert doc["clientId"] == "arn:aws:signin:::devtools/same-device"
    assert time.time() - 120 < _epoch(doc["accessToken"]["expiresAt"]) < time.time()
    assert _b64json(doc["idToken"].split(".")[1])["sub"] == USER_ARN
    pem = doc["dpopKey"]
    assert pem.startswith("-----BEGIN EC PRIVATE KEY-----\n") and pem.endswith("-----END EC PRIVATE KEY-----\n")
    assert max(len(line) for line in pem.splitlines()) <= 64
    assert isinstance(load_dpop_key(doc).curve, ec.SECP256R1)

    other = write_login_cache(tmp_path, USER_ARN, cache_dir=tmp_path / "elsewhere")  # $AWS_LOGIN_CACHE_DIRECTORY
    assert other.parent == tmp_path / "elsewhere" and other.name == path.name
    assert _epoch(json.loads(other.read_text())["accessToken"]["expiresAt"]) > time.time() + 800
    assert profile_config("dev", USER_ARN, "eu-west-1") == (
        f"[profile dev]\nlogin_session = {USER_ARN}\nregion = eu-west-1\n")


def test_refresh_round_trip_with_dpop_then_ecr_on_moto(signin, moto, tmp_path):
    cache = json.loads(signin.login(tmp_path, ROLE_ARN, expired=True).read_text())
    key = load_dpop_key(cache)
    status, headers, out = _post(signin.token_url, _refresh_body(cache), dpop_proof(key, signin.token_url))
    assert status == 200, out
    assert set(out) == {"accessToken", "tokenType", "expiresIn", "refreshToken"}  # no idToken on refresh
    assert set(out["accessToken"]) == {"accessKeyId", "secretAccessKey", "sessionToken"}
    assert out["tokenType"] == "aws_sigv4" and out["expiresIn"] == 900
    assert out["refreshToken"] != cache["refreshToken"] and headers.get("x-amzn-RequestId")
    creds = out["accessToken"]
    auth = _client("ecr", moto.url, creds).get_authorization_token()["authorizationData"][0]
    assert base64.b64decode(auth["authorizationToken"]) == b"AWS:111111111111-auth-token"

    # Refresh tokens rotate, and an earlier one of a live session still refreshes (idempotent).
    for token in (out["refreshToken"], cache["refreshToken"]):
        proof = dpop_proof(key, signin.token_url)
        status, _, again = _post(signin.token_url, _refresh_body(cache, token), proof)
        assert status == 200, again

    log = [r for r in signin.requests() if r["op"] == "CreateOAuth2Token"][-3:]
    assert all(r["outcome"] == "ok" and r["dpop"] == "ok" and r["login_session"] == ROLE_ARN
               and r["grant"] == "refresh_token" for r in log)
    recorded = json.dumps(signin.requests())
    assert cache["refreshToken"] not in recorded and creds["secretAccessKey"] not in recorded


def test_dpop_proof_is_checked(signin, moto, tmp_path):
    cache = json.loads(signin.login(tmp_path, USER_ARN).read_text())
    # The keys `aws login` leaves (an IAM user's session: a stand-in role in its account) work at once.
    auth = _client("ecr", moto.url, cache["accessToken"]).get_authorization_token()
    assert base64.b64decode(auth["authorizationData"][0]["authorizationToken"]) == b"AWS:222222222222-auth-token"
    key, url, body = load_dpop_key(cache), signin.token_url, _refresh_body(cache)
    good = dpop_proof(key, url)
    head, claims, _ = good.split(".")
    forged_sig = dpop_proof(key, url).split(".")[2]  # a valid signature, of another proof
    bad = {
        "no proof": None,
        "not a JWT": "abc",
        "another key": dpop_proof(ec.generate_private_key(ec.SECP256R1()), url),
        "htu": dpop_proof(key, url.replace("/v1/token", "/v1/other")),
        "htm": dpop_proof(key, url, method="GET"),
        "stale iat": dpop_proof(key, url, iat=int(time.time()) - 600),
        "signature": f"{head}.{claims}.{forged_sig}",
    }
    for what, proof in bad.items():
        status, headers, out = _post(url, body, proof)
        assert (status, headers.get("x-amzn-ErrorType"), out["error"]) == (
            400, "ValidationException", "INVALID_REQUEST"), what
    assert _post(url, body, good)[0] == 200
    assert _post(url, body, good)[2]["message"] == "DPoP jti missing or used before"  # replay
    status, _, out = _post(url, _refresh_body(cache, "never-issued"), dpop_proof(key, url))
    assert (status, out["error"]) == (400, "INVALID_REQUEST")
    status, _, out = _post(url, {**body, "clientId": "arn:aws:signin:::devtools/other"}, dpop_proof(key, url))
    assert (status, out["error"]) == (400, "INVALID_REQUEST")
    reasons = [r.get("dpop") for r in signin.requests() if r["op"] == "CreateOAuth2Token"]
    assert {"no DPoP header", "DPoP signature does not verify"} <= set(reasons)


def test_botocore_refresh_then_ended_session(signin, tmp_path):
    cache = json.loads(signin.login(tmp_path, ROLE_ARN).read_text())
    other = json.loads(signin.login(tmp_path / "other", USER_ARN).read_text())
    key = load_dpop_key(cache)
    client = _client("signin", signin.url)

    def add_dpop(params, **_):
        params["headers"]["DPoP"] = dpop_proof(key, params["url"])

    client.meta.events.register("before-call.signin.CreateOAuth2Token", add_dpop)
    signin.configure(expires_in=60)
    try:
        out = client.create_o_auth2_token(tokenInput=_refresh_body(cache))["tokenOutput"]
    finally:
        signin.configure(expires_in=900)
    assert out["expiresIn"] == 60 and out["accessToken"]["accessKeyId"] and out["refreshToken"]

    assert signin.revoke(ROLE_ARN) == 1
    with pytest.raises(client.exceptions.AccessDeniedException) as e:
        client.create_o_auth2_token(tokenInput=_refresh_body(cache, out["refreshToken"]))
    assert e.value.response["error"] == "TOKEN_EXPIRED"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401

    # The other session lives on until it ends too, here for a changed password (403).
    other_key = load_dpop_key(other)
    assert _post(signin.token_url, _refresh_body(other), dpop_proof(other_key, signin.token_url))[0] == 200
    assert signin.revoke(error="USER_CREDENTIALS_CHANGED") == 1
    proof = dpop_proof(other_key, signin.token_url)
    status, headers, body = _post(signin.token_url, _refresh_body(other), proof)
    assert (status, headers.get("x-amzn-ErrorType"), body["error"]) == (
        403, "AccessDeniedException", "USER_CREDENTIALS_CHANGED")
