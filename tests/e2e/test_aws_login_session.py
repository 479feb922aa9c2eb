"""`aws login` profiles (AWS CLI 2.32+, `login_session` in the shared config) behind
`aws_profile`: the Rust SDK's login credentials provider renews the cached keys at the Sign-In
stand-in (tests/standins/aws_login.py, DPoP-checked) and Dockpass signs in with them; an ended
session is one line at login and in `doctor`, with the command that signs in again."""

from __future__ import annotations

import json

import pytest

from support import ACCOUNT, REGION, assert_one_line_error

from tests.standins.aws_login import AwsLogin, profile_config
from tests.standins.procs import start_tracked, stop_tracked

SESSION = f"arn:aws:iam::{ACCOUNT}:user/dev"


@pytest.fixture(scope="module")
def signin(moto, tmp_path_factory):
    s = start_tracked(AwsLogin, tmp_path_factory.mktemp("aws-login"), moto.url)
    yield s
    stop_tracked(s)


@pytest.fixture
def loginbox(sandbox, signin):
    conf = sandbox.root / "aws-config"
    conf.write_text(profile_config("dev", SESSION, REGION))
    sandbox.env.update({"AWS_CONFIG_FILE": str(conf), "AWS_ENDPOINT_URL_SIGNIN": signin.url})
    sandbox.write_config(f"""[[profile]]
name = "login"
aws_profile = "dev"
region = "{REGION}"

[[profile.registry]]
aliases = ["{sandbox.registry.host}"]
""")
    return sandbox


def test_an_aws_login_session_signs_in_and_is_renewed(loginbox, signin, image):
    sandbox = loginbox
    cache = signin.login(sandbox.home, SESSION, expired=True)
    rc, out, err = sandbox.run("login", "--profile", "login")
    assert rc == 0, err
    assert ACCOUNT in out
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    ops = [r["op"] for r in signin.requests()]
    assert "CreateOAuth2Token" in ops, ops
    doc = json.loads(cache.read_text())
    assert doc["accessToken"]["expiresAt"] > "2026", "the SDK wrote the renewed keys back"
    rc, out, err = sandbox.run("doctor", "--profile", "login", "--json")
    checks = {c["id"]: c for c in json.loads(out)["checks"]}
    assert checks["aws-session"]["level"] == "ok", checks["aws-session"]


def test_an_ended_aws_login_session_says_how_to_sign_in_again(loginbox, signin):
    sandbox = loginbox
    signin.login(sandbox.home, SESSION, expired=True)
    signin.revoke(SESSION)
    rc, out, err = sandbox.run("login", "--profile", "login")
    assert_one_line_error(rc, out, err, 3, "aws login --profile dev")
    assert sandbox.docker_config_bytes() is None
    rc, out, err = sandbox.run("doctor", "--profile", "login", "--json")
    checks = {c["id"]: c for c in json.loads(out)["checks"]}
    c = checks["aws-session"]
    assert c["level"] == "error" and "ended" in c["summary"], c
    assert "aws login --profile dev" in c["fix"], c


def test_no_aws_login_yet(loginbox):
    sandbox = loginbox
    rc, out, err = sandbox.run("login", "--profile", "login")
    assert_one_line_error(rc, out, err, 3, "aws login --profile dev")
    rc, out, err = sandbox.run("doctor", "--profile", "login", "--offline", "--json")
    c = {c["id"]: c for c in json.loads(out)["checks"]}["aws-session"]
    assert c["level"] == "error" and "aws login --profile dev" in c["fix"], c
