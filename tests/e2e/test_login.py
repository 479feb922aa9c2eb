"""End-to-end: sign in at saml-idp, `dockpass login`, then docker tooling uses what Dockpass wrote.

Contract: docs/ARCHITECTURE.md ("CLI", "Docker semantics"). Every test runs the real binary against the
real stand-ins; nothing here mocks Dockpass.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from datetime import datetime, timedelta, timezone

from support import ACCOUNT, DEV_ROLE, ECR_HOST, OTHER_ACCOUNT, ecr_token

ALL_ROLES = {
    f"arn:aws:iam::{ACCOUNT}:role/Developer",
    f"arn:aws:iam::{ACCOUNT}:role/ReadOnly",
    f"arn:aws:iam::{ACCOUNT}:role/team/Platform",
    f"arn:aws:iam::{OTHER_ACCOUNT}:role/Developer",
}


def parse_time(s: str) -> datetime:
    assert isinstance(s, str) and (s.endswith("Z") or s.endswith("+00:00")), f"not RFC 3339 UTC: {s!r}"
    t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    assert t.tzinfo is not None and t.utcoffset() == timedelta(0)
    return t


def approx_in(t: datetime, seconds: float, slack: float = 120) -> bool:
    left = (t - datetime.now(timezone.utc)).total_seconds()
    return seconds - slack <= left <= seconds + 5


def status_json(sandbox) -> dict:
    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0, err
    return json.loads(out)


# -- the main path -------------------------------------------------------------------------

def test_login_from_idp_page_then_skopeo_uses_docker_config(sandbox, image, tmp_path):
    page = sandbox.saml_page()
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", f"{ACCOUNT}/Developer", input=page)
    assert rc == 0, err

    cfg = sandbox.docker_config()
    assert cfg["auths"][sandbox.registry_host]["auth"] == ecr_token()
    assert cfg["auths"][ECR_HOST]["auth"] == ecr_token()
    assert stat.S_IMODE(sandbox.docker_config_path.stat().st_mode) == 0o600

    # skopeo with only DOCKER_CONFIG (REGISTRY_AUTH_FILE unset, no --creds)
    assert "REGISTRY_AUTH_FILE" not in sandbox.env
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Digest"] == image["digest"]
    r = sandbox.skopeo("copy", "--src-tls-verify=false", f"docker://{image['ref']}", f"oci:{tmp_path / 'pulled'}:v1")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "pulled" / "index.json").read_text())["manifests"][0]["digest"] == image["digest"]


def test_login_json_report(sandbox):
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", DEV_ROLE, "--json", input=sandbox.saml_page())
    assert rc == 0, err
    report = json.loads(out)
    assert report["profile"] == "test"
    assert report["role_arn"] == DEV_ROLE
    assert report["account"] == ACCOUNT
    assert approx_in(parse_time(report["expires_at"]), 3600)
    hosts = {r["host"] for r in report["registries"]}
    assert hosts == {ECR_HOST, sandbox.registry_host}
    for r in report["registries"]:
        assert approx_in(parse_time(r["expires_at"]), 12 * 3600)


def test_login_from_file_base64_and_xml(sandbox, tmp_path):
    b64 = sandbox.idp.saml_response()
    wrapped = "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76)) + "\n"
    f = tmp_path / "assertion.b64"
    f.write_text(wrapped)
    rc, _, err = sandbox.run("login", "--profile", "test", "--saml-response-file", str(f), "--role", DEV_ROLE)
    assert rc == 0, err
    x = tmp_path / "assertion.xml"
    x.write_bytes(base64.b64decode(b64))
    rc, _, err = sandbox.run("login", "--profile", "test", "--saml-response-file", str(x), "--role", DEV_ROLE)
    assert rc == 0, err
    assert sandbox.docker_config()["auths"][sandbox.registry_host]["auth"] == ecr_token()


def test_role_forms_arn_account_name_and_unambiguous_bare_name(sandbox):
    # Both accounts listed: the switch to the second one needs no --trust-new-account.
    sandbox.write_config(extra=f'accounts = ["{ACCOUNT}", "{OTHER_ACCOUNT}"]')
    page = sandbox.saml_page()
    for role, arn in [
        (f"arn:aws:iam::{ACCOUNT}:role/ReadOnly", f"arn:aws:iam::{ACCOUNT}:role/ReadOnly"),
        (f"{ACCOUNT}/Developer", DEV_ROLE),
        ("ReadOnly", f"arn:aws:iam::{ACCOUNT}:role/ReadOnly"),
        (f"{OTHER_ACCOUNT}/Developer", f"arn:aws:iam::{OTHER_ACCOUNT}:role/Developer"),
    ]:
        rc, _, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-", "--role", role, input=page)
        assert rc == 0, f"--role {role}: {err}"
        st = status_json(sandbox)
        assert st["role_arn"] == arn, role
        assert st["account"] == arn.split(":")[4]


def test_role_from_profile_config(sandbox):
    sandbox.write_config(extra=f'role = "arn:aws:iam::{ACCOUNT}:role/team/Platform"')
    rc, _, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-", input=sandbox.saml_page())
    assert rc == 0, err
    assert status_json(sandbox)["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/team/Platform"


def test_relogin_replaces_entries_without_duplicates(sandbox):
    sandbox.login()
    first = sandbox.docker_config()
    sandbox.login()
    second = sandbox.docker_config()
    assert list(second["auths"]) == list(first["auths"])
    assert second["auths"][sandbox.registry_host]["auth"] == ecr_token()


# -- docker config semantics ---------------------------------------------------------------

RICH_CONFIG = {
    "auths": {
        "https://index.docker.io/v1/": {"auth": base64.b64encode(b"hubuser:hubpass").decode()},
        "ghcr.io": {"auth": base64.b64encode("octo:pässwörd".encode()).decode(), "email": "o@example.com"},
        "quay.io": {},
    },
    "credHelpers": {"gcr.io": "gcloud", "europe-docker.pkg.dev": "gcloud"},
    "proxies": {"default": {"httpProxy": "http://proxy.example:3128", "noProxy": "*.internal,127.0.0.0/8"}},
    "psFormat": "table {{.ID}}\t{{.Names}} ✓",
    "detachKeys": "ctrl-e,e",
    "HttpHeaders": {"X-Meta-Ünïcödé": "日本語 🐳"},
    "currentContext": "default",
    "x-unknown-key": [1, 2.5, None, True, {"nested": {"deep": ["a", "b"]}}],
    "plugins": {"buildx": {"experimental": "true"}},
}


def assert_preserved(before: dict, after: dict, ours: set[str]) -> None:
    """Everything but our auths entries is as it was, values and key order."""
    new_top = [k for k in after if k not in before]
    assert set(new_top) <= {"auths"}, f"unexpected new top-level keys {new_top}"
    assert [k for k in after if k in before] == list(before), "top-level key order changed"
    for k, v in before.items():
        if k == "auths":
            kept = {h: e for h, e in after["auths"].items() if h not in ours}
            assert list(kept) == list(v), "auths order changed"
            assert json.dumps(kept, ensure_ascii=False) == json.dumps(v, ensure_ascii=False)
        else:
            assert json.dumps(after[k], ensure_ascii=False) == json.dumps(v, ensure_ascii=False), k


def test_login_keeps_everything_else_in_a_rich_config(sandbox):
    sandbox.write_docker_config(RICH_CONFIG)
    sandbox.docker_config_path.chmod(0o644)
    sandbox.login()
    after = sandbox.docker_config()
    ours = {sandbox.registry_host, ECR_HOST}
    assert_preserved(RICH_CONFIG, after, ours)
    for h in ours:
        assert after["auths"][h]["auth"] == ecr_token()
    assert stat.S_IMODE(sandbox.docker_config_path.stat().st_mode) == 0o600
    assert "日本語 🐳" in sandbox.docker_config_path.read_text(encoding="utf-8")

    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    after_logout = sandbox.docker_config()
    assert not ours & set(after_logout.get("auths", {}))
    assert_preserved(RICH_CONFIG, after_logout, set())


def test_login_keeps_config_without_auths(sandbox):
    before = {"experimental": "enabled", "stackOrchestrator": "swarm"}
    sandbox.write_docker_config(before)
    sandbox.login()
    after = sandbox.docker_config()
    assert_preserved(before, after, {sandbox.registry_host, ECR_HOST})
    assert after["auths"][sandbox.registry_host]["auth"] == ecr_token()


def test_symlinked_config_stays_a_symlink(sandbox, tmp_path):
    real_dir = tmp_path / "dotfiles"
    real_dir.mkdir()
    real = real_dir / "docker-config.json"
    real.write_text(json.dumps({"auths": {"other.example": {"auth": "eDp5"}}}, indent="\t"))
    sandbox.docker_config_path.symlink_to(real)
    sandbox.login()
    assert sandbox.docker_config_path.is_symlink()
    assert os.readlink(sandbox.docker_config_path) == str(real)
    doc = json.loads(real.read_text())
    assert doc["auths"]["other.example"] == {"auth": "eDp5"}
    assert doc["auths"][sandbox.registry_host]["auth"] == ecr_token()


TESTSTORE = r'''#!{python}
"""Stand-in docker credential helper: records every call, keeps creds in a JSON file."""
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
log, db = os.path.join(here, "{name}.calls.jsonl"), os.path.join(here, "{name}.store.json")
action = sys.argv[1] if len(sys.argv) > 1 else ""
data = sys.stdin.read()
with open(log, "a") as f:
    f.write(json.dumps({{"action": action, "stdin": data}}) + "\n")
store = json.load(open(db)) if os.path.exists(db) else {{}}
if action == "store":
    c = json.loads(data)
    store[c["ServerURL"]] = {{"Username": c["Username"], "Secret": c["Secret"]}}
elif action == "get":
    url = data.strip()
    if url not in store:
        print("credentials not found in native keychain")
        sys.exit(1)
    print(json.dumps({{"ServerURL": url, **store[url]}}))
elif action == "erase":
    store.pop(data.strip(), None)
elif action == "list":
    print(json.dumps({{k: v["Username"] for k, v in store.items()}}))
else:
    sys.exit(2)
json.dump(store, open(db, "w"))
'''


def add_store_helper(sandbox, name: str = "teststore"):
    sandbox.add_script(f"docker-credential-{name}", TESTSTORE.format(python=sys.executable, name=name))
    log = sandbox.bin_dir / f"{name}.calls.jsonl"

    def calls() -> list[dict]:
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    return calls


def test_creds_store_receives_our_hosts(sandbox):
    calls = add_store_helper(sandbox)
    before = {"auths": {"other.example": {}}, "credsStore": "teststore", "currentContext": "default"}
    sandbox.write_docker_config(before)
    sandbox.login()

    stores = [json.loads(c["stdin"]) for c in calls() if c["action"] == "store"]
    by_host = {s["ServerURL"]: s for s in stores}
    for host in (sandbox.registry_host, ECR_HOST):
        assert host in by_host, f"no store call for {host}: {stores}"
        assert by_host[host]["Username"] == "AWS"
        assert by_host[host]["Secret"] == f"{ACCOUNT}-auth-token"
    after = sandbox.docker_config()
    assert after["credsStore"] == "teststore"
    for host in (sandbox.registry_host, ECR_HOST):  # like docker login: no secret in the file
        assert "auth" not in after.get("auths", {}).get(host, {})
    assert_preserved(before, after, {sandbox.registry_host, ECR_HOST})


def test_cred_helper_for_our_alias_is_used(sandbox):
    # docker's config only: skopeo would read the containers' file first (test_containers.py).
    sandbox.write_config(extra='targets = ["docker"]')
    calls = add_store_helper(sandbox, "aliasstore")
    before = {"credHelpers": {sandbox.registry_host: "aliasstore", "gcr.io": "gcloud"}}
    sandbox.write_docker_config(before)
    sandbox.login()
    stores = [json.loads(c["stdin"]) for c in calls() if c["action"] == "store"]
    assert [s["ServerURL"] for s in stores] == [sandbox.registry_host]
    assert stores[0]["Secret"] == f"{ACCOUNT}-auth-token"
    after = sandbox.docker_config()
    assert after["credHelpers"] == before["credHelpers"]
    assert after["auths"][ECR_HOST]["auth"] == ecr_token()
    assert "auth" not in after["auths"].get(sandbox.registry_host, {})
    # skopeo honours credHelpers: it asks aliasstore for 127.0.0.1:PORT
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{sandbox.registry_host}/team/app:v1")
    assert r.returncode == 0, r.stderr
    assert any(c["action"] == "get" and c["stdin"].strip() == sandbox.registry_host for c in calls())


# -- status, roles, logout -----------------------------------------------------------------

def test_status_before_and_after_login(sandbox):
    st = status_json(sandbox)
    assert st["state"] == "logged_out"
    assert st["profile"] == "test"
    assert st["role_arn"] is None and st["account"] is None and st["expires_at"] is None
    assert st["registries"] == []

    sandbox.login()
    st = status_json(sandbox)
    assert {k for k in st} >= {"profile", "state", "role_arn", "account", "expires_at", "registries"}
    assert st["state"] == "active"
    assert st["role_arn"] == DEV_ROLE and st["account"] == ACCOUNT
    assert approx_in(parse_time(st["expires_at"]), 3600)
    assert {r["host"] for r in st["registries"]} == {ECR_HOST, sandbox.registry_host}
    for r in st["registries"]:
        assert set(r) >= {"host", "expires_at"}
        assert approx_in(parse_time(r["expires_at"]), 12 * 3600)

    rc, out, err = sandbox.run("status", "--profile", "test")
    assert rc == 0, err
    assert "active" in out


def test_status_uses_the_first_profile_by_default(sandbox):
    sandbox.login()
    rc, out, err = sandbox.run("status", "--json")
    assert rc == 0, err
    assert json.loads(out)["state"] == "active"


def test_ecr_ttl_reaches_status(sandbox):
    sandbox.moto.set_ecr_ttl(1800)
    sandbox.login()
    for r in status_json(sandbox)["registries"]:
        assert approx_in(parse_time(r["expires_at"]), 1800, slack=60)


def test_roles_json_lists_the_assertion_roles(sandbox):
    sandbox.login()
    rc, out, err = sandbox.run("roles", "--profile", "test", "--json")
    assert rc == 0, err
    roles = json.loads(out)
    roles = roles["roles"] if isinstance(roles, dict) else roles
    assert {r["role_arn"] for r in roles} == ALL_ROLES
    for r in roles:
        assert r["principal_arn"] == f"arn:aws:iam::{r['account']}:saml-provider/TestIdP"
        assert r["partition"] == "aws"
    rc, out, err = sandbox.run("roles", "--profile", "test")
    assert rc == 0, err
    assert "ReadOnly" in out


def test_logout_removes_exactly_our_unchanged_entries(sandbox):
    before = {"auths": {"other.example": {"auth": "b3RoZXI6cHc="}}, "credHelpers": {"gcr.io": "gcloud"}}
    sandbox.write_docker_config(before)
    sandbox.login()
    # the user logs in to our alias by hand: that entry is theirs now
    doc = sandbox.docker_config()
    hand = base64.b64encode(b"someone:else").decode()
    doc["auths"][sandbox.registry_host]["auth"] = hand
    sandbox.write_docker_config(doc)

    rc, out, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    after = sandbox.docker_config()
    assert ECR_HOST not in after["auths"]
    assert after["auths"][sandbox.registry_host]["auth"] == hand
    assert after["auths"]["other.example"] == before["auths"]["other.example"]
    assert after["credHelpers"] == before["credHelpers"]
    assert status_json(sandbox)["state"] == "logged_out"

    # a second logout is harmless
    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    assert sandbox.docker_config() == after


# -- saml inspect --------------------------------------------------------------------------

INSPECT_KEYS = {"issuer", "subject", "role_session_name", "session_duration", "not_on_or_after",
                "destination", "roles"}


def check_inspect(doc: dict) -> None:
    assert set(doc) >= INSPECT_KEYS
    assert doc["issuer"] == "urn:test:idp"
    assert doc["subject"] == "dev@example.com"
    assert doc["role_session_name"] == "dev@example.com"
    assert doc["session_duration"] in (3600, "3600")
    assert doc["destination"] == "https://signin.aws.amazon.com/saml"
    assert approx_in(parse_time(doc["not_on_or_after"]), 3600, slack=300)
    assert {r["role_arn"] for r in doc["roles"]} == ALL_ROLES
    for r in doc["roles"]:
        assert set(r) >= {"role_arn", "principal_arn", "account", "name", "partition"}
        assert r["partition"] == "aws"
        assert r["role_arn"].startswith(f"arn:aws:iam::{r['account']}:role/")
        assert r["role_arn"].endswith(r["name"])
    assert {(r["account"], r["name"]) for r in doc["roles"]} >= {(ACCOUNT, "Developer"), (ACCOUNT, "ReadOnly"),
                                                                 (OTHER_ACCOUNT, "Developer")}


def test_saml_inspect_all_input_forms(sandbox, tmp_path):
    import urllib.parse

    from tests.standins import extract_saml_response

    page = sandbox.saml_page()
    b64 = extract_saml_response(page)
    forms = {
        "page.html": page,
        "plain.b64": b64,
        "wrapped.b64": "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + "\n",
        "urlencoded.txt": urllib.parse.quote(b64, safe=""),
        "decoded.xml": base64.b64decode(b64).decode(),
    }
    results = {}
    for name, text in forms.items():
        f = tmp_path / name
        f.write_text(text)
        rc, out, err = sandbox.run("saml", "inspect", str(f), "--json")
        assert rc == 0, f"{name}: {err}"
        results[name] = json.loads(out)
        check_inspect(results[name])
    rc, out, err = sandbox.run("saml", "inspect", "-", "--json", input=page)
    assert rc == 0, err
    results["stdin"] = json.loads(out)
    first = results["page.html"]
    for name, doc in results.items():
        assert doc == first, name


def test_saml_inspect_absent_values_are_null(sandbox, tmp_path):
    from tests.standins import Idp, role_value
    from tests.standins.idp import SESSION_NAME_ATTR

    idp = Idp(tmp_path / "idp-min", roles=[role_value(ACCOUNT, "ReadOnly")], session_duration=None,
              omit=["email", SESSION_NAME_ATTR])
    try:
        page = idp.sign_in()
    finally:
        idp.stop()
    rc, out, err = sandbox.run("saml", "inspect", "-", "--json", input=page)
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["role_session_name"] is None
    assert doc["session_duration"] is None
    assert [r["role_arn"] for r in doc["roles"]] == [f"arn:aws:iam::{ACCOUNT}:role/ReadOnly"]
