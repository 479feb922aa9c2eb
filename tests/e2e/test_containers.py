"""The containers' auth file ($XDG_RUNTIME_DIR/containers/auth.json), which podman, buildah and
skopeo read before docker's config: Dockpass writes it with docker's rules (atomic, exact
removal), skopeo pulls and podman/buildah `login --get-login` answer with what it wrote, a stale
`podman login` there is reported by doctor and replaced at sign-in."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess

import pytest

from support import ACCOUNT, ECR_HOST, require_binary


def only_containers(sandbox) -> None:
    sandbox.write_config(extra='targets = ["containers"]')


def get_login(sandbox, tool: str, host: str) -> subprocess.CompletedProcess:
    """`podman login --get-login HOST` (or buildah's): the user name the tool would use. Without
    DOCKER_CONFIG: podman and buildah (containers/common) take $DOCKER_CONFIG/config.json as
    their only auth file when it is set and REGISTRY_AUTH_FILE is not."""
    if not shutil.which(tool):
        pytest.fail(f"{tool} is not installed: run scripts/setup", pytrace=False)
    env = {k: v for k, v in sandbox.env.items() if k != "DOCKER_CONFIG"}
    return subprocess.run([tool, "login", "--get-login", host], env=env,
                          capture_output=True, text=True, timeout=60)


def auth(user_secret: str) -> dict:
    return {"auth": base64.b64encode(user_secret.encode()).decode()}


def test_podman_buildah_and_skopeo_read_what_dockpass_wrote_and_logout_takes_it_back(sandbox, image):
    only_containers(sandbox)
    path = sandbox.containers_auth_path
    path.parent.mkdir(parents=True)
    before = {"auths": {"quay.io": auth("me:mine")}, "credHelpers": {"gcr.io": "gcloud"}}
    path.write_text(json.dumps(before, indent="\t"))

    out = sandbox.login()
    assert f"Podman, buildah and skopeo find them through {path}." in out, out
    assert not sandbox.docker_config_path.exists(), "targets = [\"containers\"]: docker's config is not written"
    written = sandbox.containers_auth()
    assert written["auths"]["quay.io"] == auth("me:mine")
    assert written["credHelpers"] == {"gcr.io": "gcloud"}
    for host in (ECR_HOST, sandbox.registry_host):
        assert written["auths"][host] == {"auth": base64.b64encode(
            f"AWS:{ACCOUNT}-auth-token".encode()).decode()}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Digest"] == image["digest"]
    for tool in ("podman", "buildah"):
        r = get_login(sandbox, tool, sandbox.registry_host)
        assert r.returncode == 0 and r.stdout.strip() == "AWS", (tool, r.stdout, r.stderr)

    rc, out, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    assert sandbox.containers_auth() == before, "exactly what Dockpass wrote is gone"
    r = get_login(sandbox, "podman", sandbox.registry_host)
    assert r.returncode != 0, r.stdout


def test_an_entry_changed_since_the_sign_in_stays_at_logout(sandbox):
    only_containers(sandbox)
    sandbox.login()
    doc = sandbox.containers_auth()
    doc["auths"][sandbox.registry_host] = auth("someone:else")
    sandbox.containers_auth_path.write_text(json.dumps(doc))
    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    assert sandbox.containers_auth()["auths"] == {sandbox.registry_host: auth("someone:else")}


def test_a_stale_podman_login_is_reported_by_doctor_and_replaced_at_sign_in(sandbox, image):
    path = sandbox.containers_auth_path
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"auths": {sandbox.registry_host: auth("AWS:expired-token")}}))

    # docker only: docker's config gets the token, but the tools read the stale entry first.
    sandbox.write_config(extra='targets = ["docker"]')
    sandbox.login()
    assert sandbox.registry_host in sandbox.docker_config()["auths"]
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode != 0, "the stale entry in the containers' file wins over docker's config"

    rc, out, err = sandbox.run("doctor", "--offline", "--json")
    checks = {c["id"]: c for c in json.loads(out)["checks"]}
    c = checks["containers-auth"]
    assert c["level"] == "warn", c
    assert f"{path} has an entry for {sandbox.registry_host}" in c["summary"], c
    assert f"podman logout --authfile {path} {sandbox.registry_host}" in c["fix"], c

    # With the containers' file a target, the sign-in replaces the stale entry.
    sandbox.write_config(extra='targets = ["docker", "containers"]')
    sandbox.login()
    assert sandbox.containers_auth()["auths"][sandbox.registry_host] == auth(f"AWS:{ACCOUNT}-auth-token")
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    rc, out, err = sandbox.run("doctor", "--offline", "--json")
    c = {c["id"]: c for c in json.loads(out)["checks"]}["containers-auth"]
    assert c["level"] == "ok", c

    # Logging out leaves the file without the entry: the stale one was replaced, not kept.
    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    assert sandbox.containers_auth().get("auths", {}) == {}


def test_default_targets_follow_the_tools_on_path(sandbox):
    # skopeo is on PATH (scripts/setup): docker's config and the containers' file.
    sandbox.login()
    assert sandbox.registry_host in sandbox.docker_config()["auths"]
    assert sandbox.registry_host in sandbox.containers_auth()["auths"]
    sandbox.run("logout", "--profile", "test")

    # Without podman, buildah and skopeo, and no containers' file: docker's config only.
    sandbox.containers_auth_path.unlink()
    bare = os.pathsep.join([str(sandbox.bin_dir), str(require_binary().parent)])
    sandbox.env["PATH"] = bare
    out = sandbox.login()
    assert "Podman" not in out, out
    assert not sandbox.containers_auth_path.exists()
    assert sandbox.registry_host in sandbox.docker_config()["auths"]


def test_helper_mode_sends_the_tools_to_docker_credential_dockpass(sandbox, keyring, image):
    sandbox.write_config(extra='docker = "helper"\ntargets = ["docker", "containers"]')
    sandbox.login()
    cfg = sandbox.containers_auth()
    assert cfg["credHelpers"][sandbox.registry_host] == "dockpass"
    assert sandbox.registry_host not in cfg.get("auths", {}), "no `{}` marker: podman writes none"
    r = get_login(sandbox, "podman", sandbox.registry_host)
    assert r.returncode == 0 and r.stdout.strip() == "AWS", (r.stdout, r.stderr)
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    assert "credHelpers" not in sandbox.containers_auth()


def test_a_broken_containers_file_is_one_line_and_changes_nothing(sandbox):
    sandbox.write_config(extra='targets = ["docker", "containers"]')
    path = sandbox.containers_auth_path
    path.parent.mkdir(parents=True)
    path.write_text('{"auths": [')
    sandbox.write_docker_config({"auths": {"other.example": auth("x:y")}})
    before = sandbox.docker_config_bytes()
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", f"{ACCOUNT}/Developer", input=sandbox.saml_page())
    assert rc != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0], err
    assert path.read_text() == '{"auths": ['
    assert sandbox.docker_config_bytes() == before
