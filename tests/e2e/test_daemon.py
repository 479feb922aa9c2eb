"""`dockpass daemon`: keeps a session working across token lifetimes and an outage, resumes
from the keychain, and never shares a profile with another keeper."""

from __future__ import annotations

import json
import resource
import select
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from support import ACCOUNT, assert_one_line_error, dockpass_bin, require_binary
from tests.standins import MotoServer
from tests.standins.procs import Service, wait_until

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


def _held_connections(path: Path, count: int, held: list) -> int:
    """Top `held` up to `count` open, idle connections to the socket at `path` (connect, send
    nothing); those the server closed meanwhile are replaced. Returns how many the server
    had left open."""
    alive = []
    for s in held:
        r, _, _ = select.select([s], [], [], 0)
        if r:  # readable on an idle connection: the server closed it
            s.close()
        else:
            alive.append(s)
    held[:] = alive
    kept = len(alive)
    while len(held) < count:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(str(path))
        held.append(s)
    return kept


def test_idle_connections_cannot_keep_a_get_out(sandbox, keyring, tmp_path):
    """A daemon limited to 256 open files, and twice that many idle connections to its socket
    (connected, never a byte sent; topped up again before every get): docker-credential-dockpass
    get still gets the right token, from the daemon (the client has no keychain to fall back
    on), in under a second each time. The server keeps about 32 of them waiting (the oldest
    go first) and closes one that sends nothing after about a second."""
    limit = 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * limit + 256
    if hard != resource.RLIM_INFINITY and hard < want:
        pytest.skip(f"the hard limit on open files ({hard}) is below {want}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    runtime = Path(tempfile.mkdtemp(prefix="dp-rt-"))  # short: socket paths end at 107 bytes
    sandbox.env["XDG_RUNTIME_DIR"] = str(runtime)
    sock = runtime / "dockpass" / "helper.sock"
    sandbox.write_config(extra='docker = "helper"')
    sandbox.login()
    daemon = Service("dockpass daemon",
                     ["prlimit", f"--nofile={limit}:{limit}", "--",
                      str(dockpass_bin()), "daemon", "--profile", "test"],
                     tmp_path / "daemon.log", env=sandbox.env)
    no_keychain = {**sandbox.env, "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + str(tmp_path / "no-bus")}
    helper = str(require_binary().parent / "docker-credential-dockpass")
    held: list[socket.socket] = []
    try:
        wait_until(daemon, sock.exists, "the helper socket", timeout=20)
        limits = Path(f"/proc/{daemon.pid}/limits").read_text()
        assert any(l.startswith("Max open files") and l.split()[3:5] == [str(limit)] * 2
                   for l in limits.splitlines()), limits

        took, left_open = [], []
        for _ in range(6):
            left_open.append(_held_connections(sock, 2 * limit, held))
            t0 = time.monotonic()
            r = subprocess.run([helper, "get"], input=sandbox.registry_host, capture_output=True,
                               text=True, env=no_keychain, timeout=60)
            took.append(time.monotonic() - t0)
            assert r.returncode == 0, f"get failed ({r.returncode}): {r.stdout}{r.stderr}"
            assert json.loads(r.stdout)["Secret"] == f"{ACCOUNT}-auth-token"
            time.sleep(0.3)
        assert len(held) == 2 * limit
        assert max(took) < 1.0, f"get took {', '.join(f'{t:.2f}' for t in took)} s under the flood"
        # ~0.35 s after each flood, before any deadline: the server kept only about 32 waiting
        # (evicting the oldest), not hundreds
        assert max(left_open[1:]) <= 64, f"connections the server left open: {left_open}"
        assert daemon.alive(), daemon.log_tail()

        # and alone, an idle connection is closed after about a second
        for s in held:
            s.close()
        held.clear()
        time.sleep(1.5)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(sock))
            t0 = time.monotonic()
            assert s.recv(1) == b""
            waited = time.monotonic() - t0
        assert 0.5 <= waited <= 3.0, f"an idle connection was closed after {waited:.2f}s"
    finally:
        for s in held:
            s.close()
        daemon.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        shutil.rmtree(runtime, ignore_errors=True)
