"""Many registries from one sign-in: two regions of the role's account plus a chained role in
another account, each checked by skopeo against a registry that accepts only that account's
token; `dockpass repos`; `dockpass credentials` for the AWS CLI; `aws_profile` profiles."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from support import ACCOUNT, OTHER_ACCOUNT, REGION, assert_one_line_error, dockpass_bin

from tests.standins import Registry
from tests.standins.procs import VENV_PYTHON, start_tracked, stop_tracked

CHAIN_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/EcrReader"


@pytest.fixture(scope="module")
def extra_registries(tmp_path_factory):
    """A second registry of the role's account (eu-west-1) and one of the chained account."""
    root = tmp_path_factory.mktemp("extra-registries")
    eu = start_tracked(Registry, root / "eu", account=ACCOUNT)
    other = start_tracked(Registry, root / "other", account=OTHER_ACCOUNT)
    images = {
        "eu": eu.push_image("team/eu-app", "v2"),
        "other": other.push_image("shared/base", "v3"),
    }
    yield {"eu": eu, "other": other, "images": images}
    stop_tracked(eu)
    stop_tracked(other)


def multi_config(sandbox, extra_registries, extra: str = "") -> str:
    eu, other = extra_registries["eu"], extra_registries["other"]
    return f"""
[[profile]]
name = "test"
idp_url = "{sandbox.idp.url}"
region = "{REGION}"
{extra}

[[profile.registry]]
account = "{ACCOUNT}"
region = "{REGION}"
aliases = ["{sandbox.registry.host}"]

[[profile.registry]]
region = "eu-west-1"
aliases = ["{eu.host}"]

[[profile.chain]]
role_arn = "{CHAIN_ROLE}"
registry = [{{ region = "us-west-2", aliases = ["{other.host}"] }}]
"""


def hosts_of(account: str, region: str) -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


def test_one_login_opens_two_regions_and_a_chained_account(sandbox, extra_registries, image):
    sandbox.write_config(multi_config(sandbox, extra_registries))
    out = sandbox.login()
    assert "Chained role " + CHAIN_ROLE in out, out

    cfg = sandbox.docker_config()
    expected = {
        hosts_of(ACCOUNT, REGION), sandbox.registry.host,
        hosts_of(ACCOUNT, "eu-west-1"), extra_registries["eu"].host,
        hosts_of(OTHER_ACCOUNT, "us-west-2"), extra_registries["other"].host,
    }
    assert set(cfg["auths"]) == expected
    # the chained account's token is the chained account's (moto: AWS:{account}-auth-token)
    import base64
    auth = base64.b64decode(cfg["auths"][extra_registries["other"].host]["auth"]).decode()
    assert auth == f"AWS:{OTHER_ACCOUNT}-auth-token"

    for ref in (image["ref"], extra_registries["images"]["eu"]["ref"],
                extra_registries["images"]["other"]["ref"]):
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{ref}")
        assert r.returncode == 0, f"{ref}: {r.stderr}"

    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0, err
    st = json.loads(out)
    assert st["account"] == ACCOUNT
    assert [c["role_arn"] for c in st["chain"]] == [CHAIN_ROLE]
    assert len(st["registries"]) == 6


def test_registries_of_one_region_share_a_call(sandbox, keyring, extra_registries, image):
    """ECR answers up to 10 registries in one GetAuthorizationToken (registryIds): 12 accounts
    in us-east-1 reached by the federated role are 2 calls (10 + 2), eu-west-1 is 1; each host
    still gets its own account's token, which the registries check; `refresh` batches too."""
    eu, other = extra_registries["eu"], extra_registries["other"]
    more = [f"3000000000{i:02d}" for i in range(10)]
    tables = [(ACCOUNT, REGION, sandbox.registry.host), (OTHER_ACCOUNT, REGION, other.host),
              *[(a, REGION, None) for a in more], (ACCOUNT, "eu-west-1", eu.host)]
    toml = [f'[[profile]]\nname = "test"\nidp_url = "{sandbox.idp.url}"\nregion = "{REGION}"\n']
    for account, region, alias in tables:
        toml.append(f'[[profile.registry]]\naccount = "{account}"\nregion = "{region}"\n'
                    + (f'aliases = ["{alias}"]\n' if alias else ""))
    sandbox.write_config("\n".join(toml))

    def calls() -> list[tuple[str, int]]:
        return sorted((c["region"], len(c["registry_ids"])) for c in sandbox.moto.ecr_calls())

    sandbox.login()
    assert calls() == [("eu-west-1", 1), (REGION, 2), (REGION, 10)], sandbox.moto.ecr_calls()
    asked = sorted(a for c in sandbox.moto.ecr_calls() for a in c["registry_ids"])
    assert asked == sorted([ACCOUNT, OTHER_ACCOUNT, *more, ACCOUNT])

    import base64
    auths = sandbox.docker_config()["auths"]
    for account, region, alias in tables:
        for host in filter(None, (hosts_of(account, region), alias)):
            got = base64.b64decode(auths[host]["auth"]).decode()
            assert got == f"AWS:{account}-auth-token", (host, got)
    # Each registry accepts only its account's token.
    for ref in (image["ref"], extra_registries["images"]["other"]["ref"],
                extra_registries["images"]["eu"]["ref"]):
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{ref}")
        assert r.returncode == 0, f"{ref}: {r.stderr}"

    sandbox.moto.ecr_log.unlink()
    rc, out, err = sandbox.run("refresh", "--profile", "test")
    assert rc == 0, err
    assert calls() == [("eu-west-1", 1), (REGION, 2), (REGION, 10)], sandbox.moto.ecr_calls()


def test_chained_credentials_refresh_and_reach_the_aws_cli(sandbox, keyring, extra_registries, tmp_path):
    sandbox.write_config(multi_config(sandbox, extra_registries, extra="credential_process = true"))
    sandbox.login()
    state_path = sandbox.state_home / "dockpass" / "state.json"
    before = json.loads(state_path.read_text())["profiles"]["test"]["session"]["chain"][0]

    # credential_process JSON: the session's own role, and the chained role on request
    rc, out, err = sandbox.run("credentials", "--profile", "test")
    assert rc == 0, err
    own = json.loads(out)
    assert own["Version"] == 1 and set(own) == {
        "Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    rc, out, err = sandbox.run("credentials", "--profile", "test", "--role", "EcrReader")
    assert rc == 0, err
    chained = json.loads(out)
    assert chained["AccessKeyId"] != own["AccessKeyId"]

    # the AWS CLI signs its calls with them (credential_process in its config file)
    aws_config = tmp_path / "aws-config"
    cmd = f"{dockpass_bin()} credentials --profile test"
    aws_config.write_text(
        f"[profile corp]\ncredential_process = {cmd}\nregion = {REGION}\n\n"
        f"[profile corp-chained]\ncredential_process = {cmd} --role EcrReader\nregion = {REGION}\n")
    aws = Path(VENV_PYTHON).parent / "aws"
    env = {**sandbox.env, "AWS_CONFIG_FILE": str(aws_config), "AWS_ENDPOINT_URL": sandbox.moto.url}
    for profile, account in (("corp", ACCOUNT), ("corp-chained", OTHER_ACCOUNT)):
        r = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile", profile, "--output", "json"],
                           env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["Account"] == account

    # `dockpass refresh` assumes the chained role again and fetches every token
    rc, out, err = sandbox.run("refresh", "--profile", "test")
    assert rc == 0, err
    assert f"Assumed chained role {CHAIN_ROLE} again" in out, out
    after = json.loads(state_path.read_text())["profiles"]["test"]["session"]["chain"][0]
    assert after["issued_at"] >= before["issued_at"]
    r = sandbox.skopeo("inspect", "--tls-verify=false",
                       f"docker://{extra_registries['images']['other']['ref']}")
    assert r.returncode == 0, r.stderr


def test_credentials_without_a_session_say_sign_in(sandbox, keyring):
    sandbox.write_config(extra="credential_process = true")
    rc, out, err = sandbox.run("credentials", "--profile", "test")
    assert out == ""
    assert_one_line_error(rc, out, err, 3, "not signed in")
    sandbox.login()
    rc, out, err = sandbox.run("credentials", "--profile", "test", "--role", "NoSuchRole")
    assert_one_line_error(rc, out, err, 2, "NoSuchRole")
    rc, out, err = sandbox.run("credentials", "--profile", "test", "--role",
                               f"{OTHER_ACCOUNT}/Developer")
    assert_one_line_error(rc, out, err, 3, "switch role")


def test_repos_lists_every_registry_across_regions(sandbox, keyring, extra_registries):
    east = sandbox.moto.client_as(ACCOUNT, "ecr", REGION)
    west = sandbox.moto.client_as(ACCOUNT, "ecr", "eu-west-1")
    other = sandbox.moto.client_as(OTHER_ACCOUNT, "ecr", "us-west-2")
    for i in range(30):
        east.create_repository(repositoryName=f"team/east-{i:02}")
    for i in range(20):
        west.create_repository(repositoryName=f"team/west-{i:02}")
    for i in range(5):
        other.create_repository(repositoryName=f"shared/lib-{i}")
    sandbox.write_config(multi_config(sandbox, extra_registries))
    sandbox.login()

    rc, out, err = sandbox.run("repos", "--profile", "test", "--json")
    assert rc == 0, err
    repos = json.loads(out)
    assert len(repos) == 55
    assert all(list(r) == ["registry", "region", "account", "name", "uri", "created_at"] for r in repos)
    by_region = {}
    for r in repos:
        by_region.setdefault((r["account"], r["region"]), []).append(r["name"])
        assert r["uri"] == f"{r['registry']}/{r['name']}"
        assert r["created_at"].endswith("Z")
    assert len(by_region[(ACCOUNT, REGION)]) == 30
    assert len(by_region[(ACCOUNT, "eu-west-1")]) == 20
    assert sorted(by_region[(OTHER_ACCOUNT, "us-west-2")]) == [f"shared/lib-{i}" for i in range(5)]

    rc, out, err = sandbox.run("repos", "--profile", "test")
    assert rc == 0, err
    assert f"{hosts_of(ACCOUNT, 'eu-west-1')}/team/west-07" in out


def test_repos_needs_a_session(sandbox):
    rc, out, err = sandbox.run("repos", "--profile", "test", "--json")
    assert_one_line_error(rc, out, err, 3, "not signed in")


def test_aws_profile_with_role_arn_and_source_profile(sandbox, image, tmp_path):
    creds = tmp_path / "aws-credentials"
    creds.write_text("[base]\naws_access_key_id = test-base-key-id\n"
                     "aws_secret_access_key = base-secret\n")
    conf = tmp_path / "aws-config"
    conf.write_text(f"[profile ecr]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/Deployer\n"
                    "source_profile = base\nregion = us-east-1\n")
    sandbox.env.update({"AWS_CONFIG_FILE": str(conf), "AWS_SHARED_CREDENTIALS_FILE": str(creds)})
    sandbox.write_config(f"""
[[profile]]
name = "prof"
aws_profile = "ecr"
region = "{REGION}"

[[profile.registry]]
aliases = ["{sandbox.registry.host}"]
""")
    rc, out, err = sandbox.run("login", "--profile", "prof")
    assert rc == 0, err
    assert "Deployer" in out and ACCOUNT in out, out
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    rc, out, err = sandbox.run("status", "--profile", "prof", "--json")
    st = json.loads(out)
    assert st["state"] == "active"
    assert st["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/Deployer"

    # a missing AWS profile is a clear configuration error, and nothing is written
    sandbox.write_config(f'[[profile]]\nname = "prof"\naws_profile = "nope"\nregion = "{REGION}"\n')
    before = sandbox.docker_config_bytes()
    rc, out, err = sandbox.run("login", "--profile", "prof")
    assert_one_line_error(rc, out, err, 2, "nope")
    assert sandbox.docker_config_bytes() == before


def test_ecr_public_is_a_registry_kind(sandbox, keyring, tmp_path):
    """`public = true`: a token from ECR Public (us-east-1) for public.ecr.aws, ECR Public's
    dual-stack host ecr-public.aws.com and its aliases, next to a private registry, and its
    repositories in `dockpass repos`; logout takes every one of those hosts back."""
    from tests.standins.ecr_public import PASSWORD, EcrPublic

    public = EcrPublic()
    reg = start_tracked(Registry, tmp_path / "public-registry", account="111111111111")
    try:
        ref = reg.push_image("dockpass/tool", "1.0", content=b"public")["ref"]
        reg.set_password(PASSWORD)  # from now on the registry takes only the public token
        for name in ("tool", "base", "cli"):
            public.add_repository("dockpass", name)
        sandbox.env["AWS_ENDPOINT_URL_ECR_PUBLIC"] = public.url
        sandbox.write_config(sandbox.profile_toml() + f"""
[[profile.registry]]
public = true
aliases = ["{reg.host}"]
""")
        sandbox.login()
        cfg = sandbox.docker_config()
        auth = base64_decode(cfg["auths"]["public.ecr.aws"]["auth"])
        assert auth == f"AWS:{PASSWORD}"
        assert base64_decode(cfg["auths"][reg.host]["auth"]) == f"AWS:{PASSWORD}"
        assert base64_decode(cfg["auths"]["ecr-public.aws.com"]["auth"]) == f"AWS:{PASSWORD}"
        rc, out, err = sandbox.run("status", "--profile", "test", "--json")
        assert rc == 0, err
        assert {r["host"] for r in json.loads(out)["registries"]} >= {
            "public.ecr.aws", "ecr-public.aws.com", reg.host}
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{ref}")
        assert r.returncode == 0, r.stderr
        assert public.calls and all(c["signed"] for c in public.calls), public.calls

        rc, out, err = sandbox.run("repos", "--profile", "test", "--json")
        assert rc == 0, err
        pub = [r for r in json.loads(out) if r["registry"] == "public.ecr.aws"]
        # three repositories over two pages, with the gallery URI ECR Public reports
        assert sorted(r["uri"] for r in pub) == [f"public.ecr.aws/dockpass/{n}" for n in ("base", "cli", "tool")]
        assert [c["target"] for c in public.calls].count("SpencerFrontendService.DescribeRepositories") == 2

        rc, out, err = sandbox.run("logout", "--profile", "test")
        assert rc == 0, err
        left = set(sandbox.docker_config().get("auths", {}))
        assert not left & {"public.ecr.aws", "ecr-public.aws.com", reg.host}, left
    finally:
        stop_tracked(reg)
        public.stop()


def base64_decode(s: str) -> str:
    import base64
    return base64.b64decode(s).decode()


def test_aws_profile_with_credential_process(sandbox, image, tmp_path):
    """An AWS profile whose credentials come from a credential_process (as SSO tools and
    vaults provide them): aws-config's chain runs it; Dockpass publishes the ECR token."""
    script = sandbox.add_script("fake-vault", "#!/bin/sh\n"
                                'echo \'{"Version": 1, "AccessKeyId": "AKIAVAULT0000000001",'
                                ' "SecretAccessKey": "vault-secret"}\'\n')
    conf = tmp_path / "aws-config"
    conf.write_text(f"[profile vault]\ncredential_process = {script}\n")
    sandbox.env["AWS_CONFIG_FILE"] = str(conf)
    sandbox.write_config(f"""
[[profile]]
name = "vault"
aws_profile = "vault"
region = "{REGION}"

[[profile.registry]]
account = "{ACCOUNT}"
aliases = ["{sandbox.registry.host}"]
""")
    rc, out, err = sandbox.run("login", "--profile", "vault", "--json")
    assert rc == 0, err
    report = json.loads(out)
    assert report["registries"][0]["host"] == hosts_of(ACCOUNT, REGION)
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    # --saml-response-file makes no sense for such a profile: a usage error, nothing written
    before = sandbox.docker_config_bytes()
    rc, out, err = sandbox.run("login", "--profile", "vault", "--saml-response-file", "-", input="x")
    assert_one_line_error(rc, out, err, 2, "aws profile")
    assert sandbox.docker_config_bytes() == before


def test_two_roles_in_two_accounts_from_one_sign_in(sandbox, keyring, extra_registries, image):
    """`roles`: one assertion, two AssumeRoleWithSAML (AWS takes an assertion for several calls
    while it is valid); each role reaches its own account's registry, which accepts only that
    account's token; skopeo pulls from both; a refresh keeps both without a sign-in."""
    other = extra_registries["other"]
    sandbox.write_config(f"""
[[profile]]
name = "test"
idp_url = "{sandbox.idp.url}"
region = "{REGION}"
credential_process = true
roles = ["{ACCOUNT}/Developer", {{ role = "{OTHER_ACCOUNT}/Developer", registry = [{{ aliases = ["{other.host}"] }}] }}]

[[profile.registry]]
account = "{ACCOUNT}"
region = "{REGION}"
aliases = ["{sandbox.registry.host}"]
""")
    before = len(sandbox.moto.saml_calls())
    sandbox.login(role="")
    calls = sandbox.moto.saml_calls()[before:]
    assert sorted(c["role_arn"] for c in calls) == sorted(
        [f"arn:aws:iam::{ACCOUNT}:role/Developer", f"arn:aws:iam::{OTHER_ACCOUNT}:role/Developer"])
    assert len({c["assertion"] for c in calls}) == 1, "the same assertion for both roles"

    import base64
    cfg = sandbox.docker_config()
    auth = base64.b64decode(cfg["auths"][other.host]["auth"]).decode()
    assert auth == f"AWS:{OTHER_ACCOUNT}-auth-token"
    for ref in (image["ref"], extra_registries["images"]["other"]["ref"]):
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{ref}")
        assert r.returncode == 0, f"{ref}: {r.stderr}"

    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0, err
    st = json.loads(out)
    assert st["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/Developer"
    assert [(c["role_arn"], c.get("sign_in")) for c in st["chain"]] == [
        (f"arn:aws:iam::{OTHER_ACCOUNT}:role/Developer", True)]
    rc, out, _ = sandbox.run("status", "--profile", "test")
    assert f"arn:aws:iam::{OTHER_ACCOUNT}:role/Developer" in out, out
    rc, out, _ = sandbox.run("roles", "--profile", "test")
    marks = {line.split()[1]: line[0] for line in out.splitlines()}
    assert marks[f"{ACCOUNT}/Developer"] == "*" and marks[f"{OTHER_ACCOUNT}/Developer"] == "+", out

    # A refresh renews both registries' tokens with the roles it holds: no sign-in.
    rc, out, err = sandbox.run("refresh", "--profile", "test")
    assert rc == 0, err
    assert len(sandbox.moto.saml_calls()) == before + 2
    for ref in (image["ref"], extra_registries["images"]["other"]["ref"]):
        r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{ref}")
        assert r.returncode == 0, f"{ref}: {r.stderr}"
    # The other role's session for scripts too (exec --role picks it).
    aws = str(Path(VENV_PYTHON).parent / "aws")
    rc, out, err = sandbox.run("exec", "--role", f"{OTHER_ACCOUNT}/Developer", "--", aws, "sts",
                               "get-caller-identity", "--output", "json")
    assert rc == 0, err
    assert json.loads(out)["Account"] == OTHER_ACCOUNT


def test_a_role_the_assertion_does_not_offer_is_one_line(sandbox):
    from support import assert_one_line_error
    sandbox.write_config(sandbox.profile_toml(extra=f'roles = ["{ACCOUNT}/Developer", "{OTHER_ACCOUNT}/Admin"]'))
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               input=sandbox.saml_page())
    assert_one_line_error(rc, out, err, 2, f"{OTHER_ACCOUNT}/Admin")
    assert sandbox.docker_config_bytes() is None, "nothing written: all roles or none"
