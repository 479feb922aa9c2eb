"""docker = "helper": credHelpers[HOST] = "dockpass", and docker-credential-dockpass answers from
the live session (the keychain holds it, so these tests run with the private gnome-keyring)."""

from __future__ import annotations

import json
import subprocess
import time

from support import ACCOUNT, ECR_HOST, require_binary

from tests.standins import free_port


def helper(sandbox, verb: str, stdin: str = "", env: dict | None = None) -> tuple[int, str, float]:
    binary = require_binary().parent / "docker-credential-dockpass"
    t0 = time.monotonic()
    r = subprocess.run([str(binary), verb], input=stdin, capture_output=True, text=True,
                       env={**sandbox.env, **(env or {})}, timeout=30)
    return r.returncode, r.stdout, time.monotonic() - t0


def test_helper_mode_serves_skopeo_from_the_live_session(sandbox, keyring, image):
    sandbox.write_config(extra='docker = "helper"')
    before = {"auths": {"other.example": {"auth": "eDp5"}}, "credHelpers": {"gcr.io": "gcloud"}}
    sandbox.write_docker_config(before)
    sandbox.login()

    cfg = sandbox.docker_config()
    assert cfg["credHelpers"]["gcr.io"] == "gcloud"
    for host in (ECR_HOST, sandbox.registry_host):
        assert cfg["credHelpers"][host] == "dockpass"
        assert "auth" not in cfg.get("auths", {}).get(host, {})
    assert cfg["auths"]["other.example"] == {"auth": "eDp5"}

    # skopeo asks docker-credential-dockpass (on PATH from target/debug) for 127.0.0.1:PORT
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Digest"] == image["digest"]

    # a hit needs no AWS: endpoints that answer nothing do not matter
    dead = f"http://127.0.0.1:{free_port()}"
    for host in (ECR_HOST, f"https://{ECR_HOST}", sandbox.registry_host):
        rc, out, took = helper(sandbox, "get", host + "\n",
                               env={"AWS_ENDPOINT_URL_STS": dead, "AWS_ENDPOINT_URL_ECR": dead})
        assert rc == 0, out
        got = json.loads(out)
        assert got["Username"] == "AWS" and got["Secret"] == f"{ACCOUNT}-auth-token"
        assert took < 2.0, f"get took {took:.2f}s"

    rc, out, _ = helper(sandbox, "list")
    assert rc == 0 and set(json.loads(out)) >= {ECR_HOST}

    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    rc, out, _ = helper(sandbox, "get", ECR_HOST)
    assert rc == 1 and "credentials not found" in out


def test_helper_unknown_host_is_not_found_at_once(sandbox):
    rc, out, took = helper(sandbox, "get", "unknown.example.com\n")
    assert rc == 1
    assert out.strip() == "credentials not found in native keychain"
    assert took < 2.0
    rc, out, _ = helper(sandbox, "version")
    assert rc == 0 and out.startswith("docker-credential-dockpass")
