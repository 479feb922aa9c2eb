"""`dockpass daemon`: keeps a session working across token lifetimes and an outage, resumes
from the keychain, and never shares a profile with another keeper."""

from __future__ import annotations

import json
import time
from pathlib import Path

from support import ACCOUNT, assert_one_line_error, dockpass_bin
from tests.standins import MotoServer
from tests.standins.procs import Service

TTL = 20  # seconds: the daemon refreshes every 5 s (a quarter of the life, its floor)


def _status(sandbox) -> dict:
    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0, err
    return json.loads(out)


def _issued(sandbox) -> list[str]:
    state = json.loads((sandbox.state_home / "dockpass" / "state.json").read_text())
    return [r.get("issued_at") for r in state["profiles"]["test"]["session"]["registries"]]


def _wait(what: str, check, timeout: float, daemon: Service):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        assert daemon.alive(), f"the daemon died: {daemon.log_tail()}"
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; daemon log:\n{daemon.log_tail()}")


def _start_daemon(sandbox, tmp_path: Path) -> Service:
    return Service("dockpass daemon", [str(dockpass_bin()), "daemon", "--profile", "test"],
                   tmp_path / "daemon.log", env=sandbox.env)


def test_daemon_keeps_access_across_token_lifetimes_and_an_outage(sandbox, keyring, image, tmp_path):
    own = MotoServer(tmp_path / "moto", ecr_ttl=TTL)  # its own moto: this test stops it
    try:
        sandbox.env["AWS_ENDPOINT_URL_STS"] = sandbox.env["AWS_ENDPOINT_URL_ECR"] = own.url
        sandbox.login()
        daemon = _start_daemon(sandbox, tmp_path)
        try:
            # Several token lifetimes: the tokens keep being renewed, status stays active, and
            # skopeo keeps pulling with the docker config the daemon rewrites.
            seen = {tuple(_issued(sandbox))}
            deadline = time.monotonic() + 3 * TTL
            while time.monotonic() < deadline:
                seen.add(tuple(_issued(sandbox)))
                assert _status(sandbox)["state"] == "active"
                time.sleep(2)
            assert len(seen) >= 4, f"only {len(seen)} token generations in {3 * TTL}s"
            r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
            assert r.returncode == 0, r.stderr

            # Outage: ECR unreachable. The state says so, with the reason; docker keeps the
            # last good credentials.
            port = own.port
            own.stop()
            st = _wait("state error", lambda: (s := _status(sandbox))["state"] == "error" and s,
                       45, daemon)
            assert "ECR" in st["error"]["message"], st
            assert sandbox.docker_config()["auths"][sandbox.registry_host]["auth"]

            # Back: the daemon recovers by itself.
            own = MotoServer(tmp_path / "moto-again", ecr_ttl=TTL, port=port)
            _wait("recovery", lambda: _status(sandbox)["state"] == "active", 60, daemon)
            r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
            assert r.returncode == 0, r.stderr
        finally:
            daemon.stop()
        log = daemon.log_path.read_text()
        assert "Refreshed ECR tokens" in log, log
        assert "Refresh failed" in log, log
    finally:
        own.stop()


def test_one_keeper_per_profile(sandbox, keyring, tmp_path):
    sandbox.login()
    daemon = _start_daemon(sandbox, tmp_path)
    try:
        _wait("the daemon to start", lambda: "keeping test fresh" in daemon.log_path.read_text(),
              15, daemon)
        rc, out, err = sandbox.run("daemon", "--profile", "test", timeout=15)
        assert_one_line_error(rc, out, err, 1, "already kept fresh by dockpass daemon (pid")
    finally:
        daemon.stop()


def test_daemon_needs_a_keychain(sandbox):
    sandbox.login(f"{ACCOUNT}/Developer")
    rc, out, err = sandbox.run("daemon", "--profile", "test", timeout=15)
    assert_one_line_error(rc, out, err, 1, "keychain")
