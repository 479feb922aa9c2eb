"""Credential helper mode with the app running: `docker = "helper"` puts credHelpers entries in
the docker config, and skopeo's `docker-credential-dockpass get` is answered by the app over its
socket. The app has no keychain here (the banner says so), so the session lives only in the
app's memory: only the socket can answer, and it does; `dockpass credentials` too. Once the app
has quit, nothing answers (memory only), and the helper says "not found"."""

from __future__ import annotations

import json
import subprocess

from gui_support import ACCOUNT, DEV_ROLE, profile_toml
from webdriver_client import wait

from tests.e2e.support import dockpass_bin


def helper(sandbox, host: str) -> subprocess.CompletedProcess:
    binary = dockpass_bin().parent / "docker-credential-dockpass"
    return subprocess.run([str(binary), "get"], input=host, env=sandbox.env, capture_output=True,
                          text=True, timeout=30)


def test_skopeo_through_the_apps_socket(gui, pages, sandbox, idp, registry, image):
    page = pages.publish("submit", trigger="server", saml_response=idp.saml_response(), submit_with="submit")
    sandbox.write_config(profile_toml("test", page.url, role=DEV_ROLE, registry_aliases=[registry.host],
                                      extra='docker = "helper"\ncredential_process = true'))
    run = gui.launch("--login")
    s = run.session
    run.main_window()
    s.wait_for('[data-testid="session"]', 30, "the session view", visible=True)
    page.release()
    status = gui.wait_status("test", "active", DEV_ROLE)
    assert status["secrets"] == "memory", status

    cfg = json.loads(sandbox.docker_config_path.read_text())
    assert cfg["credHelpers"][registry.host] == "dockpass"
    assert "auths" not in cfg or registry.host not in cfg["auths"]
    sock = sandbox.runtime_dir / "dockpass" / "helper.sock"
    wait(sock.exists, 10, "the app's helper socket")

    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, f"skopeo through docker-credential-dockpass and the app: {r.stderr}"
    got = helper(sandbox, registry.host)
    assert got.returncode == 0, got.stdout
    assert json.loads(got.stdout)["Secret"] == f"{ACCOUNT}-auth-token"
    rc = subprocess.run([str(dockpass_bin()), "credentials", "--profile", "test"], env=sandbox.env,
                        capture_output=True, text=True, timeout=30)
    assert rc.returncode == 0, rc.stderr
    assert json.loads(rc.stdout)["Version"] == 1

    run.stop()
    got = helper(sandbox, registry.host)
    assert (got.returncode, got.stdout.strip()) == (1, "credentials not found in native keychain"), got
