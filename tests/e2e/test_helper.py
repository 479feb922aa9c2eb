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


def test_helper_protocol_verbs_and_errors(sandbox, keyring):
    """Each verb as the docker credential helper protocol defines it: answers and errors on
    stdout, errors exit 1."""
    rc, out, _ = helper(sandbox, "get", "")
    assert (rc, out.strip()) == (1, "no credentials server URL")
    rc, out, _ = helper(sandbox, "erase", "\n")
    assert (rc, out.strip()) == (1, "no credentials server URL")
    rc, out, _ = helper(sandbox, "erase", "unknown.example.com\n")
    assert (rc, out.strip()) == (1, "credentials not found in native keychain")
    rc, out, _ = helper(sandbox, "list")
    assert (rc, json.loads(out)) == (0, {})
    rc, out, _ = helper(sandbox, "store",
                        json.dumps({"ServerURL": ECR_HOST, "Username": "AWS", "Secret": "x"}))
    assert rc == 1 and "does not store credentials" in out
    rc, out, _ = helper(sandbox, "frobnicate")
    assert rc == 1 and out.startswith("usage: docker-credential-dockpass")

    sandbox.write_config(extra='docker = "helper"')
    sandbox.login()
    rc, out, _ = helper(sandbox, "list")
    assert rc == 0 and json.loads(out) == {ECR_HOST: "AWS", sandbox.registry_host: "AWS"}
    # docker logout calls erase: it succeeds for hosts Dockpass serves
    rc, out, _ = helper(sandbox, "erase", f"https://{ECR_HOST}\n")
    assert (rc, out.strip()) == (0, "")
    rc, out, _ = helper(sandbox, "get", f"https://{ECR_HOST}/v2/\n")
    assert rc == 0 and json.loads(out)["ServerURL"] == f"https://{ECR_HOST}/v2/"


def _socket(sandbox):
    return sandbox.runtime_dir / "dockpass" / "helper.sock"


def test_helper_answers_through_the_daemon_and_without_it(sandbox, keyring, image, tmp_path):
    import os
    import stat

    from support import dockpass_bin
    from tests.standins.procs import Service, wait_until

    # credential_process = true: the profile hands its session to `dockpass credentials`
    sandbox.write_config(extra='docker = "helper"\ncredential_process = true')
    sandbox.login()
    daemon = Service("dockpass daemon", [str(dockpass_bin()), "daemon", "--profile", "test"],
                     tmp_path / "daemon.log", env=sandbox.env)
    sock = _socket(sandbox)
    # No keychain for the clients below: only the daemon's socket can answer them.
    no_keychain = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + str(tmp_path / "no-bus")}
    try:
        wait_until(daemon, sock.exists, "the helper socket", timeout=20)
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
        rc, out, took = helper(sandbox, "get", sandbox.registry_host, env=no_keychain)
        assert rc == 0, out
        assert json.loads(out)["Secret"] == f"{ACCOUNT}-auth-token"
        rc, out, took = helper(sandbox, "get", "unknown.example.com", env=no_keychain)
        assert (rc, out.strip()) == (1, "credentials not found in native keychain")
        assert took < 2.0
        # skopeo through credHelpers → docker-credential-dockpass → the daemon
        r = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{image['ref']}"],
                           env={**sandbox.env, **no_keychain}, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        # `dockpass credentials` asks the daemon too
        rc, out, err = sandbox.run("credentials", "--profile", "test", env=no_keychain)
        assert rc == 0, err
        assert json.loads(out)["Version"] == 1

        # another user cannot even open the socket: the client finds nothing to ask
        if os.geteuid() == 0:
            binary = require_binary().parent / "docker-credential-dockpass"
            r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                str(binary), "get"], input=sandbox.registry_host,
                               env={**sandbox.env, **no_keychain}, capture_output=True,
                               text=True, timeout=30)
            assert r.returncode == 1
            assert "AWS" not in r.stdout and f"{ACCOUNT}-auth-token" not in r.stdout
    finally:
        daemon.stop()

    # daemon stopped: the keychain answers (and without one, nothing does)
    rc, out, _ = helper(sandbox, "get", sandbox.registry_host)
    assert rc == 0 and json.loads(out)["Username"] == "AWS"
    rc, out, _ = helper(sandbox, "get", sandbox.registry_host, env=no_keychain)
    assert rc == 1
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr


def test_helper_fetches_a_fresh_token_once_the_old_one_expired(sandbox, keyring, image):
    sandbox.write_config(extra='docker = "helper"')
    sandbox.moto.set_ecr_ttl(2)
    sandbox.login()
    sandbox.moto.set_ecr_ttl(None)
    state_path = sandbox.state_home / "dockpass" / "state.json"
    issued = json.loads(state_path.read_text())["profiles"]["test"]["session"]["registries"][0]
    time.sleep(3)
    # the token is past its end, the STS session is not: get fetches a new token from ECR
    rc, out, _ = helper(sandbox, "get", sandbox.registry_host)
    assert rc == 0, out
    after = json.loads(state_path.read_text())["profiles"]["test"]["session"]["registries"][0]
    assert after["issued_at"] > issued["issued_at"]
    assert after["expires_at"] > issued["expires_at"]
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, r.stderr


def test_credentials_are_handed_out_only_with_credential_process_true(sandbox, keyring, tmp_path):
    """Without `credential_process = true` in its profile, `dockpass credentials` refuses (exit 2,
    one line naming the key, nothing on stdout), on its own and through the running daemon's
    socket. The client below reads another config that allows it and has no keychain: the
    daemon's refusal, naming the daemon's config file, can only have come over the socket."""
    from support import assert_one_line_error, dockpass_bin
    from tests.standins.procs import Service, wait_until

    sandbox.write_config(extra='docker = "helper"')
    sandbox.login()
    rc, out, err = sandbox.run("credentials", "--profile", "test")
    assert out == ""
    assert_one_line_error(rc, out, err, 2, "credential_process = true", str(sandbox.config_path))

    daemon = Service("dockpass daemon", [str(dockpass_bin()), "daemon", "--profile", "test"],
                     tmp_path / "daemon.log", env=sandbox.env)
    allowing = tmp_path / "allowing.toml"
    allowing.write_text(sandbox.profile_toml(extra='docker = "helper"\ncredential_process = true'))
    client = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + str(tmp_path / "no-bus"),
              "DOCKPASS_CONFIG": str(allowing)}
    try:
        wait_until(daemon, _socket(sandbox).exists, "the helper socket", timeout=20)
        rc, out, err = sandbox.run("credentials", "--profile", "test", env=client)
        assert out == ""
        assert_one_line_error(rc, out, err, 2, "credential_process = true", str(sandbox.config_path))
    finally:
        daemon.stop()
    # the same client without the daemon: its own config allows it, but without a keychain it
    # finds no session (so the refusal above came from the daemon, over the socket)
    rc, out, err = sandbox.run("credentials", "--profile", "test", env=client)
    line = assert_one_line_error(rc, out, err, 3, "sign in again")
    assert "credential_process" not in line, line


def test_helper_without_any_config_file_finds_nothing(sandbox):
    """No Dockpass config file at all (none at DOCKPASS_CONFIG, nor at the XDG default):
    docker-credential-dockpass answers docker's not-found sentinel for get and erase, and {}
    for list, so docker goes on with other credentials instead of failing the pull."""
    sandbox.config_path.unlink()
    for env in ({}, {"DOCKPASS_CONFIG": ""}):
        rc, out, _ = helper(sandbox, "get", f"{ECR_HOST}\n", env=env)
        assert (rc, out) == (1, "credentials not found in native keychain\n"), env
        rc, out, _ = helper(sandbox, "get", "https://ghcr.io/v2/\n", env=env)
        assert (rc, out) == (1, "credentials not found in native keychain\n"), env
        rc, out, _ = helper(sandbox, "erase", f"{ECR_HOST}\n", env=env)
        assert (rc, out) == (1, "credentials not found in native keychain\n"), env
        rc, out, _ = helper(sandbox, "list", env=env)
        assert rc == 0 and json.loads(out) == {}, (env, out)


def test_helper_mode_login_without_a_keychain_says_docker_will_find_nothing(sandbox):
    """docker = "helper" and no keychain (no D-Bus session bus): the session lives only in
    the login process, so docker-credential-dockpass cannot serve it. `dockpass login` warns
    (docker will get "credentials not found", and how to fix it) and does not claim that
    docker credentials were written; the warning is true (get finds nothing)."""
    sandbox.write_config(extra='docker = "helper"')
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", f"{ACCOUNT}/Developer", input=sandbox.saml_page())
    assert rc == 0, err
    warnings = [l for l in err.splitlines() if "credentials not found" in l]
    assert len(warnings) == 1 and warnings[0].startswith("dockpass: warning:"), err
    w = warnings[0]
    assert ECR_HOST in w and sandbox.registry_host in w, w
    assert "keychain" in w and 'docker = "config"' in w, w  # how to fix it
    assert "Docker credentials written" not in out + err, out
    assert "Docker will not find credentials" in out, out
    rc, out, _ = helper(sandbox, "get", sandbox.registry_host)
    assert (rc, out) == (1, "credentials not found in native keychain\n")


def test_helper_mode_login_without_a_keychain_claims_no_credentials_were_written(sandbox):
    """Nothing `dockpass login` prints in helper mode without a keychain may tell the user that
    docker credentials were written (in helper mode none are, and docker will find none)."""
    sandbox.write_config(extra='docker = "helper"')
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", f"{ACCOUNT}/Developer", input=sandbox.saml_page())
    assert rc == 0, err
    claims = [l for l in (out + err).splitlines()
              if "credentials are written" in l.lower() or "credentials written" in l.lower()]
    assert not claims, f"helper mode, no keychain, yet: {claims}"


def test_helper_mode_login_with_a_keychain_gives_no_such_warning(sandbox, keyring):
    """The counterpart: with a keychain the same sign-in warns of nothing and says docker asks
    docker-credential-dockpass (which then answers)."""
    sandbox.write_config(extra='docker = "helper"')
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", f"{ACCOUNT}/Developer", input=sandbox.saml_page())
    assert rc == 0, err
    assert "warning" not in err and "credentials not found" not in err, err
    assert "Docker asks docker-credential-dockpass" in out, out
    rc, out, _ = helper(sandbox, "get", sandbox.registry_host)
    assert rc == 0 and json.loads(out)["Secret"] == f"{ACCOUNT}-auth-token"
