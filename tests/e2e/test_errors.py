"""End-to-end error contract (docs/ARCHITECTURE.md, "CLI"): exactly one line on stderr, the documented exit code
(2 usage/configuration, 3 sign in again, 4 AWS/network, 1 otherwise), and the docker config
left byte-for-byte as it was.

Exit codes per case follow dockpass-core's error codes (error.rs): SAML input that is not a
usable assertion (garbage, truncated, unsafe XML, too large) and unknown/ambiguous roles are
usage errors (2); an expired assertion or an STS rejection means signing in again (3).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support import ACCOUNT, DEV_ROLE, assert_one_line_error, ecr_token

from tests.standins import decode_saml_response, encode_saml_xml, free_port

EXISTING = {"auths": {"other.example": {"auth": "b3RoZXI6cHc="}}, "credHelpers": {"gcr.io": "gcloud"},
            "psFormat": "table {{.ID}} ✓"}


@pytest.fixture
def guarded(sandbox):
    """The sandbox with an existing docker config; after the test it must be unchanged."""
    sandbox.write_docker_config(EXISTING)
    before = sandbox.docker_config_bytes()
    yield sandbox
    assert sandbox.docker_config_bytes() == before, "the docker config changed on an error path"


def login(sb, payload, role=DEV_ROLE, *extra, timeout: float = 30):
    args = ["login", "--profile", "test", "--saml-response-file", "-", *extra]
    if role:
        args += ["--role", role]
    return sb.run(*args, input=payload, timeout=timeout)


def still_logged_out(sb) -> None:
    rc, out, err = sb.run("status", "--profile", "test", "--json")
    assert rc == 0, err
    assert json.loads(out)["state"] == "logged_out"


def with_doctype(xml: str, doctype: str, session_name_value: str) -> str:
    """Insert a DOCTYPE before the root element and put `session_name_value` in RoleSessionName."""
    xml = re.sub(r"^<\?xml[^>]*\?>\s*", "", xml)
    xml = re.sub(
        r'(Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"[^>]*>\s*<saml:AttributeValue[^>]*>)[^<]*',
        lambda m: m.group(1) + session_name_value, xml, count=1)
    return '<?xml version="1.0"?>\n' + doctype + "\n" + xml


# -- bad assertions ------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    pytest.param("this is not a SAML response\n", id="garbage-text"),
    pytest.param(base64.b64encode(b"\x00\x01\x02 binary \xff").decode(), id="garbage-base64"),
    pytest.param("<html><body><form><input name='username'></form></body></html>", id="page-without-saml"),
    pytest.param("", id="empty"),
])
def test_garbage_assertion(guarded, payload):
    rc, out, err = login(guarded, payload)
    assert_one_line_error(rc, out, err, 2)
    still_logged_out(guarded)


def test_truncated_assertion(guarded):
    b64 = guarded.idp.saml_response()
    for cut in (b64[: len(b64) // 2], b64[: len(b64) - 40]):
        rc, out, err = login(guarded, cut)
        assert_one_line_error(rc, out, err, 2)
    xml = decode_saml_response(guarded.saml_page())
    rc, out, err = login(guarded, xml[: len(xml) * 2 // 3])
    assert_one_line_error(rc, out, err, 2)
    still_logged_out(guarded)


def test_xxe_is_refused_and_nothing_is_read(guarded, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-XXE-CANARY\n")
    xml = with_doctype(decode_saml_response(guarded.saml_page()),
                       f'<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;")
    for payload in (encode_saml_xml(xml), xml):
        rc, out, err = login(guarded, payload)
        assert_one_line_error(rc, out, err, 2)
        assert "TOP-SECRET" not in out + err
        rc, out, err = guarded.run("saml", "inspect", "-", "--json", input=payload)
        assert_one_line_error(rc, out, err, 2)
        assert "TOP-SECRET" not in out + err
    still_logged_out(guarded)


def test_billion_laughs_is_refused_quickly(guarded):
    ents = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE samlp:Response [" + "".join(ents) + "]>"
    xml = with_doctype(decode_saml_response(guarded.saml_page()), doctype, "&lol9;")
    t0 = time.monotonic()
    rc, out, err = login(guarded, encode_saml_xml(xml), timeout=20)
    assert time.monotonic() - t0 < 10
    assert_one_line_error(rc, out, err, 2)
    still_logged_out(guarded)


def test_oversized_input(guarded):
    rc, out, err = login(guarded, "A" * (1024 * 1024 + 10))
    assert_one_line_error(rc, out, err, 2)


def test_expired_assertion_needs_a_new_sign_in(guarded):
    """moto accepts expired assertions (it checks no NotOnOrAfter): a 3 here is Dockpass's own check."""
    xml = decode_saml_response(guarded.saml_page())
    expired = re.sub(r'NotOnOrAfter="[^"]+"', 'NotOnOrAfter="2020-01-01T00:00:00.000Z"', xml)
    assert expired != xml
    rc, out, err = login(guarded, encode_saml_xml(expired))
    assert_one_line_error(rc, out, err, 3)
    still_logged_out(guarded)


def test_unknown_role(guarded):
    page = guarded.saml_page()
    for role in ("333333333333/Developer", f"arn:aws:iam::{ACCOUNT}:role/Admin", "NoSuchRole"):
        rc, out, err = login(guarded, page, role)
        assert_one_line_error(rc, out, err, 2)
    still_logged_out(guarded)


def test_ambiguous_bare_role_name(guarded):
    rc, out, err = login(guarded, guarded.saml_page(), "Developer")
    line = assert_one_line_error(rc, out, err, 2)
    assert ACCOUNT in line or "ambiguous" in line.lower()
    still_logged_out(guarded)


def test_several_roles_and_none_chosen(guarded):
    rc, out, err = login(guarded, guarded.saml_page(), None)
    assert_one_line_error(rc, out, err, 2)


def test_missing_saml_response_file_is_a_usage_error(guarded):
    rc, out, err = guarded.run("login", "--profile", "test")
    assert_one_line_error(rc, out, err, 2)
    rc, out, err = guarded.run("login", "--profile", "test", "--saml-response-file", str(guarded.root / "nope"))
    assert_one_line_error(rc, out, err, 2, "nope")
    rc, out, err = guarded.run("login", "--no-such-flag")
    assert_one_line_error(rc, out, err, 2)


def test_unknown_profile(guarded):
    rc, out, err = guarded.run("status", "--profile", "nope", "--json")
    assert_one_line_error(rc, out, err, 2, "nope")


# -- docker config problems ----------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    pytest.param('{"auths": {"other.example": {"auth": "eDp5"}},\n  "oops"\n', id="truncated"),
    pytest.param("not json at all\n", id="not-json"),
    pytest.param('["an", "array"]\n', id="not-an-object"),
    pytest.param('{"auths": "a string"}\n', id="auths-not-an-object"),
])
def test_docker_config_that_does_not_parse_is_left_alone(sandbox, raw):
    sandbox.write_docker_config(raw=raw)
    before = sandbox.docker_config_bytes()
    rc, out, err = login(sandbox, sandbox.saml_page())
    assert_one_line_error(rc, out, err, 1, str(sandbox.docker_config_path))
    assert sandbox.docker_config_bytes() == before


def test_docker_config_dir_that_cannot_be_used(sandbox):
    blocker = sandbox.root / "blocker"
    blocker.write_text("a regular file where a folder should be\n")
    bad_dir = blocker / "docker"
    sandbox.env["DOCKER_CONFIG"] = str(bad_dir)
    rc, out, err = login(sandbox, sandbox.saml_page())
    assert_one_line_error(rc, out, err, 1, str(bad_dir))
    assert blocker.read_text() == "a regular file where a folder should be\n"


# -- Dockpass config problems --------------------------------------------------------------

def test_bad_config_value_names_file_key_and_line(guarded):
    text = guarded.profile_toml().splitlines()
    text.insert(4, "session_duration = true")  # line 5, inside [[profile]]
    guarded.write_config("\n".join(text) + "\n")
    for args in (["status", "--profile", "test", "--json"], ["login", "--profile", "test", "--saml-response-file", "-"]):
        rc, out, err = guarded.run(*args, input=guarded.saml_page() if args[0] == "login" else None)
        assert_one_line_error(rc, out, err, 2, str(guarded.config_path), "session_duration", "line 5")


def test_bad_config_syntax_names_file_and_line(guarded):
    guarded.write_config('[[profile]]\nname = "test"\nidp_url = "http://127.0.0.1:1/\nregion = "us-east-1"\n')
    rc, out, err = guarded.run("status", "--json")
    assert_one_line_error(rc, out, err, 2, str(guarded.config_path), "line 3")


def test_unknown_config_key(guarded):
    guarded.write_config(guarded.profile_toml(extra='regoin = "eu-west-1"'))
    rc, out, err = guarded.run("status", "--json")
    assert_one_line_error(rc, out, err, 2, str(guarded.config_path), "regoin", "line 5")


@pytest.mark.parametrize("url", ["http://idp.example.com/app/aws/sso", "http://10.1.2.3:8080/sso"])
def test_clear_text_idp_url_is_a_config_error(guarded, url):
    """idp_url with http:// on a host other than this machine would carry the sign-in in clear
    text: a config error (exit 2) naming idp_url and saying so, for login and status alike,
    before anything is asked of anyone."""
    guarded.write_config(guarded.profile_toml().replace(guarded.idp.url, url))
    for args in (["login", "--profile", "test", "--saml-response-file", "-", "--role", DEV_ROLE],
                 ["status", "--profile", "test", "--json"]):
        rc, out, err = guarded.run(*args, input=guarded.saml_page())
        assert out == ""
        assert_one_line_error(rc, out, err, 2, "idp_url", "clear text", url)
    assert guarded.moto.saml_calls() == []


def test_http_idp_url_on_this_machine_is_accepted(sandbox):
    """http:// stays fine for 127.0.0.1 (the stand-in IdP's own URL) and localhost."""
    assert sandbox.idp.url.startswith("http://127.0.0.1:")
    sandbox.login()
    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0 and json.loads(out)["state"] == "active", err
    local = sandbox.idp.url.replace("127.0.0.1", "localhost")
    sandbox.write_config(sandbox.profile_toml().replace(sandbox.idp.url, local))
    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0, err


def test_missing_config_file(guarded):
    guarded.config_path.unlink()
    rc, out, err = guarded.run("status", "--json")
    assert_one_line_error(rc, out, err, 2, str(guarded.config_path))


# -- AWS problems --------------------------------------------------------------------------

class _FakeSts(BaseHTTPRequestHandler):
    status = 403
    body = b""

    def do_POST(self):  # noqa: N802 - http.server API
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def _sts_error(code: str, message: str, kind: str = "Sender") -> bytes:
    return (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>{kind}</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
            ).encode()


@pytest.fixture
def fake_sts():
    """A local STS that answers every call with a configurable error."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_FakeSts,), {}))
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()
    t.join(timeout=5)


@pytest.mark.parametrize("status,code", [(403, "AccessDenied"), (400, "ExpiredTokenException"),
                                         (400, "InvalidIdentityToken")])
def test_sts_rejection_needs_a_new_sign_in(guarded, fake_sts, status, code):
    fake_sts.RequestHandlerClass.status = status
    fake_sts.RequestHandlerClass.body = _sts_error(code, "rejected by the test")
    guarded.env["AWS_ENDPOINT_URL_STS"] = f"http://127.0.0.1:{fake_sts.server_address[1]}"
    rc, out, err = login(guarded, guarded.saml_page())
    assert_one_line_error(rc, out, err, 3)
    still_logged_out(guarded)


def test_sts_unreachable_is_a_network_error(guarded):
    guarded.env["AWS_ENDPOINT_URL_STS"] = f"http://127.0.0.1:{free_port()}"
    t0 = time.monotonic()
    rc, out, err = login(guarded, guarded.saml_page(), DEV_ROLE)
    assert time.monotonic() - t0 < 25
    assert_one_line_error(rc, out, err, 4)
    still_logged_out(guarded)


def test_ecr_unreachable_is_a_network_error(guarded):
    guarded.env["AWS_ENDPOINT_URL_ECR"] = f"http://127.0.0.1:{free_port()}"
    rc, out, err = login(guarded, guarded.saml_page(), DEV_ROLE)
    assert_one_line_error(rc, out, err, 4)
    still_logged_out(guarded)


def test_error_after_success_keeps_the_good_session(sandbox):
    """A failed re-login must not remove the credentials the previous login wrote."""
    sandbox.login()
    before = sandbox.docker_config_bytes()
    rc, out, err = login(sandbox, "garbage")
    assert_one_line_error(rc, out, err, 2)
    assert sandbox.docker_config_bytes() == before
    assert sandbox.docker_config()["auths"][sandbox.registry_host]["auth"] == ecr_token()


def test_state_dir_that_cannot_be_used(guarded):
    blocker = guarded.root / "state-blocker"
    blocker.write_text("not a folder\n")
    guarded.env["XDG_STATE_HOME"] = str(blocker / "state")
    rc, out, err = login(guarded, guarded.saml_page())
    assert_one_line_error(rc, out, err, 1, str(blocker))
    rc, out, err = guarded.run("status", "--profile", "test", "--json")
    assert_one_line_error(rc, out, err, 1, str(blocker))
