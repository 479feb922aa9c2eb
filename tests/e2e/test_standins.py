"""Self-tests of the stand-ins: if these fail, Dockpass's own e2e results mean nothing."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.standins import (
    Idp,
    decode_saml_response,
    default_role_values,
    encode_saml_xml,
    extract_saml_response,
    provider_arn,
    role_arn,
    role_value,
    sign_in,
    skopeo,
)
from tests.standins.idp import ROLE_ATTR, SESSION_NAME_ATTR

NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion", "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}


def attribute_values(xml: str, name: str) -> list[str]:
    root = ET.fromstring(xml)
    return [v.text or "" for a in root.iter(f"{{{NS['saml']}}}Attribute") if a.get("Name") == name
            for v in a.findall("saml:AttributeValue", NS)]


def sts_client(moto):
    return moto.client("sts")


def assume(moto, b64: str, account="111111111111", name="Developer", **kw):
    return sts_client(moto).assume_role_with_saml(
        RoleArn=role_arn(account, name), PrincipalArn=provider_arn(account), SAMLAssertion=b64, **kw)


# -- saml-idp ------------------------------------------------------------------------------

def test_idp_sign_in_page_holds_saml_response_with_all_roles(idp):
    page = idp.sign_in()
    assert 'action="https://signin.aws.amazon.com/saml"' in page
    assert 'name="SAMLResponse"' in page and 'name="RelayState"' in page
    b64 = extract_saml_response(page)
    assert "&#x3D;" not in b64 and re.fullmatch(r"[A-Za-z0-9+/]+=*", b64)
    xml = decode_saml_response(page)
    root = ET.fromstring(xml)
    assert root.tag == f"{{{NS['samlp']}}}Response"
    assert root.get("Destination") == "https://signin.aws.amazon.com/saml"
    assert root.find("saml:Issuer", NS).text == "urn:test:idp"
    assert root.find("saml:Assertion/saml:Subject/saml:NameID", NS).text == "dev@example.com"
    assert attribute_values(xml, ROLE_ATTR) == default_role_values()
    assert attribute_values(xml, SESSION_NAME_ATTR) == ["dev@example.com"]
    # signed response and assertion
    assert len(root.findall(".//{http://www.w3.org/2000/09/xmldsig#}Signature")) >= 1
    cond = root.find("saml:Assertion/saml:Conditions", NS)
    not_after = datetime.fromisoformat(cond.get("NotOnOrAfter").replace("Z", "+00:00"))
    assert timedelta(minutes=50) < not_after - datetime.now(timezone.utc) < timedelta(minutes=70)


def test_browser_like_sign_in_splits_the_rendered_role_field(idp):
    # The plain form fields, as a browser would send them from GET / (Role once per value).
    page = sign_in(idp.url)
    assert attribute_values(decode_saml_response(page), ROLE_ATTR) == idp.roles


def test_idp_overrides_single_role_and_session_name(idp):
    one = role_value("222222222222", "Developer")
    xml = decode_saml_response(idp.sign_in(roles=[one], session_name="someone-else"))
    assert attribute_values(xml, ROLE_ATTR) == [one]
    assert attribute_values(xml, SESSION_NAME_ATTR) == ["someone-else"]
    # the next default sign-in has every role again (Idp.sign_in always posts all fields)
    assert attribute_values(decode_saml_response(idp.sign_in()), ROLE_ATTR) == default_role_values()


def test_cli_sign_in_helper(idp, tmp_path):
    from tests.standins.procs import REPO_ROOT, VENV_PYTHON

    r = subprocess.run([str(VENV_PYTHON), "-m", "tests.standins", "sign-in", idp.url],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert attribute_values(decode_saml_response(r.stdout), ROLE_ATTR) == idp.roles


def test_bash_sign_in_helper(idp):
    from tests.standins.procs import REPO_ROOT

    lib = REPO_ROOT / "scripts" / "lib" / "standins.sh"
    r = subprocess.run(["bash", "-c", f'set -euo pipefail; source "{lib}"; idp_sign_in "$1" | saml_response_from_page',
                        "bash", idp.url], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    xml = base64.b64decode(r.stdout.strip()).decode()
    assert attribute_values(xml, ROLE_ATTR) == idp.roles


# -- moto STS ------------------------------------------------------------------------------

def test_moto_assume_role_with_saml_multi_valued_roles(moto, idp):
    b64 = idp.saml_response()
    for account, name in [("111111111111", "Developer"), ("111111111111", "team/Platform"),
                          ("222222222222", "Developer")]:
        res = assume(moto, b64, account, name)
        assert res["AssumedRoleUser"]["Arn"] == \
            f"arn:aws:sts::{account}:assumed-role/{name.split('/')[-1]}/dev@example.com"
        creds = res["Credentials"]
        assert creds["AccessKeyId"] and creds["SecretAccessKey"] and creds["SessionToken"]
        left = creds["Expiration"] - datetime.now(timezone.utc)
        assert timedelta(minutes=59) < left <= timedelta(hours=1)  # SessionDuration 3600
        ident = moto.client("sts", access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"],
                            session_token=creds["SessionToken"]).get_caller_identity()
        assert ident["Account"] == account


def test_moto_single_role_single_attribute_and_no_session_name(moto, tmp_path):
    """The crashes moto 5.2 has unpatched: one AttributeValue, one Attribute, no RoleSessionName."""
    one = role_value("111111111111", "ReadOnly")
    idp = Idp(tmp_path / "idp-min", roles=[one], session_duration=None, omit=["email", SESSION_NAME_ATTR])
    try:
        xml = decode_saml_response(idp.sign_in())
        root = ET.fromstring(xml)
        assert len(root.findall(".//saml:AttributeStatement/saml:Attribute", NS)) == 1
        res = assume(moto, encode_saml_xml(xml), "111111111111", "ReadOnly")
        assert res["AssumedRoleUser"]["Arn"].endswith(":assumed-role/ReadOnly/dev@example.com")  # NameID
        left = res["Credentials"]["Expiration"] - datetime.now(timezone.utc)
        assert timedelta(minutes=59) < left <= timedelta(hours=1)  # default 3600
    finally:
        idp.stop()


def test_moto_session_duration_and_duration_seconds(moto, idp):
    b64 = idp.saml_response(session_duration=7200)
    left = assume(moto, b64)["Credentials"]["Expiration"] - datetime.now(timezone.utc)
    assert timedelta(minutes=119) < left <= timedelta(hours=2)
    left = assume(moto, b64, DurationSeconds=900)["Credentials"]["Expiration"] - datetime.now(timezone.utc)
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)


def test_moto_rejects_role_not_in_assertion_and_garbage(moto, idp):
    from botocore.exceptions import ClientError

    b64 = idp.saml_response()
    with pytest.raises(ClientError) as e:
        assume(moto, b64, "333333333333", "Developer")
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    assert 400 <= e.value.response["ResponseMetadata"]["HTTPStatusCode"] < 500
    with pytest.raises(ClientError) as e:  # right role, wrong provider
        sts_client(moto).assume_role_with_saml(RoleArn=role_arn("111111111111", "Developer"),
                                               PrincipalArn=provider_arn("222222222222"), SAMLAssertion=b64)
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    for garbage in ["not base64 at all!", base64.b64encode(b"<not-saml/>").decode(), b64[: len(b64) // 2]]:
        with pytest.raises(ClientError) as e:
            assume(moto, garbage)
        assert e.value.response["Error"]["Code"] == "InvalidIdentityToken", garbage
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_moto_does_not_check_expiry(moto, idp):
    """Documented gap: an assertion past NotOnOrAfter is accepted; Dockpass must check itself."""
    xml = decode_saml_response(idp.sign_in())
    expired = re.sub(r'NotOnOrAfter="[^"]+"', 'NotOnOrAfter="2001-01-01T00:00:00.000Z"', xml)
    assert expired != xml
    assert assume(moto, encode_saml_xml(expired))["Credentials"]["AccessKeyId"]


# -- moto ECR ------------------------------------------------------------------------------

def _ecr_for(moto, idp, account="111111111111"):
    creds = assume(moto, idp.saml_response(), account)["Credentials"]
    return moto.client("ecr", access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"],
                       session_token=creds["SessionToken"])


def test_moto_ecr_token_matches_account_and_ttl(moto, idp):
    data = _ecr_for(moto, idp).get_authorization_token()["authorizationData"][0]
    assert base64.b64decode(data["authorizationToken"]) == b"AWS:111111111111-auth-token"
    assert data["proxyEndpoint"] == "https://111111111111.dkr.ecr.us-east-1.amazonaws.com"
    left = data["expiresAt"] - datetime.now(timezone.utc)
    assert timedelta(hours=11, minutes=59) < left <= timedelta(hours=12, seconds=1)
    other = _ecr_for(moto, idp, "222222222222").get_authorization_token()["authorizationData"][0]
    assert base64.b64decode(other["authorizationToken"]) == b"AWS:222222222222-auth-token"


def test_moto_ecr_ttl_can_change_at_run_time(moto, idp):
    ecr = _ecr_for(moto, idp)
    moto.set_ecr_ttl(90)
    try:
        data = ecr.get_authorization_token()["authorizationData"][0]
        left = data["expiresAt"] - datetime.now(timezone.utc)
        assert timedelta(seconds=80) < left <= timedelta(seconds=91)
    finally:
        moto.set_ecr_ttl(None)
    data = ecr.get_authorization_token()["authorizationData"][0]
    assert data["expiresAt"] - datetime.now(timezone.utc) > timedelta(hours=11)


def test_idp_issuer_can_be_another(idp, tmp_path):
    """Idp(issuer=...) signs Response and Assertion with that Issuer; the default is urn:test:idp."""
    other = Idp(tmp_path / "other", issuer="urn:other:idp")
    try:
        xml_other = decode_saml_response(other.sign_in())
    finally:
        other.stop()
    xml_default = decode_saml_response(idp.sign_in())
    for xml, issuer in ((xml_other, "urn:other:idp"), (xml_default, "urn:test:idp")):
        root = ET.fromstring(xml)
        issuers = [e.text for e in root.iter(f"{{{NS['saml']}}}Issuer")]
        assert issuers and set(issuers) == {issuer}, issuers


def test_moto_records_saml_calls_until_reset(moto, idp):
    """The e2e moto records each AssumeRoleWithSAML exactly as received; reset() clears it."""
    moto.reset()
    b64 = idp.saml_response()
    assume(moto, b64, "222222222222")
    calls = moto.saml_calls()
    assert [(c["role_arn"], c["principal_arn"]) for c in calls] == [
        (role_arn("222222222222", "Developer"), provider_arn("222222222222"))]
    assert calls[0]["assertion"] == b64
    moto.reset()
    assert moto.saml_calls() == []


def test_fake_helper_socket_answers_everything_and_logs_it(tmp_path):
    """The fake helper server answers get and credentials with its fake values and logs each
    connection and request (tests/e2e/test_trust.py relies on both)."""
    import tempfile

    from tests.standins.fake_helper import FAKE_KEY_ID, FAKE_SECRET, FakeHelperSocket

    d = Path(tempfile.mkdtemp(prefix="dp-fk-"))
    fake = FakeHelperSocket(d / "helper.sock", tmp_path / "fake")
    try:
        assert fake.ask('{"op":"get","server_url":"x.example"}') == {
            "login": {"username": "AWS", "secret": FAKE_SECRET}}
        assert fake.ask('{"op":"credentials","profile":null,"role":null}')["credentials"][
            "AccessKeyId"] == FAKE_KEY_ID
        events = fake.events()
        assert [e["event"] for e in events].count("connect") == 2
        assert fake.requests() == ['{"op":"get","server_url":"x.example"}',
                                   '{"op":"credentials","profile":null,"role":null}']
    finally:
        fake.stop()
    assert not (d / "helper.sock").exists()
    d.rmdir()


def test_moto_reset(moto):
    ecr = moto.client("ecr")
    ecr.create_repository(repositoryName="reset-me")
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == ["reset-me"]
    moto.reset()
    assert ecr.describe_repositories()["repositories"] == []


# -- registry ------------------------------------------------------------------------------

def test_registry_accepts_the_moto_token_and_rejects_others(registry, image, tmp_path):
    ref = f"docker://{image['ref']}"
    out = skopeo(["inspect", "--tls-verify=false", "--creds", registry.creds, ref]).stdout
    assert json.loads(out)["Digest"] == image["digest"]
    r = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--creds", "AWS:222222222222-auth-token", ref],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "unauthorized" in r.stderr.lower()
    r = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--no-creds", ref],
                       capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert r.returncode != 0
    # a pull to a local OCI layout with the right creds
    skopeo(["copy", "--src-tls-verify=false", "--src-creds", registry.creds, ref, f"oci:{tmp_path / 'pulled'}:v1"])
    assert json.loads((tmp_path / "pulled" / "index.json").read_text())["manifests"][0]["digest"] == image["digest"]


def test_registry_reads_auth_from_docker_config(registry, image, tmp_path):
    """What Dockpass's output must look like for skopeo: auths[host].auth = base64(AWS:password)."""
    (tmp_path / "config.json").write_text(json.dumps({"auths": {registry.host: {
        "auth": base64.b64encode(registry.creds.encode()).decode()}}}))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DOCKER_CONFIG": str(tmp_path)}
    r = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{image['ref']}"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr


def _inspect_until_ok(ref: str, creds: str) -> subprocess.CompletedProcess:
    deadline = time.monotonic() + 10
    while True:
        r = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--creds", creds, f"docker://{ref}"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode == 0 or time.monotonic() > deadline:
            return r
        time.sleep(0.2)


def test_registry_password_can_change(registry, image):
    registry.set_password("rotated")
    try:
        r = _inspect_until_ok(image["ref"], "AWS:rotated")
        assert r.returncode == 0, r.stderr
    finally:
        registry.set_password(registry.password)
        assert _inspect_until_ok(image["ref"], registry.creds).returncode == 0


# -- keyring -------------------------------------------------------------------------------

def test_keyring_session_stores_and_stops_cleanly(tmp_path):
    import os

    from tests.standins.keyring import KeyringSession

    k = KeyringSession(tmp_path / "kr", home=tmp_path / "home", data_home=tmp_path / "data")
    try:
        r = k.secret_tool("store", "--label=t", "service", "dockpass-selftest", "username", "u", input="s3cret")
        assert r.returncode == 0, r.stderr
        r = k.secret_tool("lookup", "service", "dockpass-selftest", "username", "u")
        assert r.stdout == "s3cret"
        pgid = k.service.pgid
    finally:
        k.stop()
    try:
        os.killpg(pgid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive, "keyring session processes survived stop()"


# -- SSO-session front (tests/standins/sso.py) ----------------------------------------------

def test_sso_front_form_then_cookie_then_invalidated(idp, tmp_path):
    import os
    import urllib.request

    from tests.standins.procs import no_proxy_opener
    from tests.standins.sso import COOKIE, SsoFront

    front = SsoFront(tmp_path / "sso", idp)  # no overrides: they would change saml-idp's user
    try:
        b = front.browser()
        status, page = b.get()
        assert status == 200 and 'id="login"' in page and 'action="/login"' in page
        assert 'name="username"' in page and 'type="password"' in page and "SAMLResponse" not in page
        assert b.login(password="wrong")[0] == 401 and not list(b.jar)

        body = f"username={front.user}&password={front.password}".replace(" ", "+").encode()
        req = urllib.request.Request(front.base + "/login", data=body)
        with no_proxy_opener().open(req, timeout=15) as resp:
            set_cookie = resp.headers["Set-Cookie"]
            page = resp.read().decode()
        attrs = [a.strip() for a in set_cookie.split(";")]
        assert attrs[0].startswith(f"{COOKIE}=") and "Path=/" in attrs and "HttpOnly" in attrs
        assert any(a.startswith("Max-Age=") and int(a.split("=")[1]) > 3600 for a in attrs), set_cookie
        assert 'action="https://signin.aws.amazon.com/saml"' in page
        xml = decode_saml_response(page)
        assert len(_role_values(xml)) == len(idp.roles)
        assert attribute_values(xml, "https://aws.amazon.com/SAML/Attributes/SessionDuration") == ["3600"]

        assert b.login()[0] == 200 and [c.name for c in b.jar] == [COOKIE]
        status, page = b.get()  # the session cookie: the SAMLResponse page at once
        assert status == 200 and extract_saml_response(page)
        assert b.get("/css/main.css")[0] == 200  # saml-idp's assets are relayed
        assert b.get("/nothing")[0] == 404

        assert front.invalidate_sessions() == 2
        status, page = b.get()
        assert status == 200 and 'id="login"' in page
        log = [(r["method"], r["path"], r["cookie"], r["answer"]) for r in front.requests()]
        assert log == [
            ("GET", "/aws", "none", "form"), ("POST", "/login", "none", "denied"),
            ("POST", "/login", "none", "saml"), ("POST", "/login", "none", "saml"),
            ("GET", "/aws", "valid", "saml"), ("GET", "/css/main.css", "valid", "asset"),
            ("GET", "/nothing", "valid", "not-found"), ("GET", "/aws", "invalid", "form"),
        ], log
        pid = front.service.pid
    finally:
        front.stop()
    try:
        os.killpg(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive


def _role_values(xml: str) -> list[str]:
    return attribute_values(xml, ROLE_ATTR)


# -- the launcher CLI (scripts/demo uses it) -----------------------------------------------

def test_launcher_up_json_then_sigterm_stops_everything(tmp_path):
    import os
    import signal

    from tests.standins.procs import REPO_ROOT, VENV_PYTHON, http_status

    state = tmp_path / "state.json"
    proc = subprocess.Popen([str(VENV_PYTHON), "-m", "tests.standins", "up", "--json", "--no-image",
                             "--state-file", str(state), "--workdir", str(tmp_path / "w")],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        info = json.loads(line)
        assert json.loads(state.read_text()) == info
        assert http_status(info["moto"]["url"] + "/moto-api/") is not None
        assert http_status(info["idp"]["url"]) == 200
        assert http_status(info["registry"]["url"] + "/v2/") == 401
        pids = [info[k]["pid"] for k in ("moto", "registry", "idp")]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode == 0, proc.stderr.read()
    assert not state.exists()
    for pid in pids:
        try:
            os.killpg(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        assert not alive, f"process group {pid} survived"
    assert http_status(info["moto"]["url"] + "/moto-api/", timeout=0.5) is None
