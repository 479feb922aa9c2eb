"""`dockpass doctor` against real broken setups (issue 7): each test plants one problem in an
otherwise working sandbox (real binary, moto, saml-idp, gnome-keyring, dunst) and checks that
doctor finds it, explains it in one line with a fix, exits 1 for errors, and changes nothing."""

from __future__ import annotations

import json
import os
import socket

from support import ECR_HOST, REGION, ACCOUNT
from test_login import add_store_helper
from test_notify import NotifySession


def doctor(sandbox, *args: str, env: dict | None = None) -> tuple[int, dict[str, dict]]:
    rc, out, err = sandbox.run("doctor", "--json", *args, env=env, timeout=60)
    assert err == "", f"doctor wrote to stderr: {err!r}"
    checks = json.loads(out)["checks"]
    for c in checks:
        assert c["level"] in ("ok", "info", "warn", "error"), c
        assert c["summary"] and "\n" not in c["summary"], c
        if c["level"] in ("warn", "error"):
            assert c.get("fix") and "\n" not in c["fix"], f"{c['id']} has no one-line fix: {c}"
    by_id: dict[str, dict] = {}
    for c in checks:  # several endpoints share an id: keep the worst
        order = ["ok", "info", "warn", "error"]
        if c["id"] not in by_id or order.index(c["level"]) > order.index(by_id[c["id"]]["level"]):
            by_id[c["id"]] = c
    return rc, by_id


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_a_working_setup_is_all_ok(sandbox, keyring):
    sandbox.login()
    before = sandbox.docker_config_bytes()
    rc, c = doctor(sandbox)
    assert rc == 0, c
    for cid in ("config", "state", "docker-config", "creds-store", "cred-helpers", "helper-path",
                "keychain", "endpoint-idp", "endpoint-sts", "endpoint-ecr"):
        assert c[cid]["level"] == "ok", c[cid]
    assert "docker-credential-dockpass" in c["helper-path"]["summary"]
    assert c["notifications"]["level"] == "warn"  # no notification server on the keyring's bus
    assert sandbox.docker_config_bytes() == before


def test_notification_server_is_found(sandbox, tmp_path):
    session = NotifySession(tmp_path / "notify")
    try:
        rc, c = doctor(sandbox, "--offline", env={"DBUS_SESSION_BUS_ADDRESS": session.address})
    finally:
        session.stop()
    assert c["notifications"]["level"] == "ok", c["notifications"]
    assert "dunst" in c["notifications"]["summary"].lower()


def test_no_keychain_and_no_bus_are_warnings_not_failures(sandbox):
    rc, c = doctor(sandbox, "--offline")
    assert rc == 0
    assert c["keychain"]["level"] == "warn" and "memory only" in c["keychain"]["summary"]
    assert "no D-Bus session bus" in c["notifications"]["summary"]


def test_broken_docker_config_is_named_with_its_line_and_left_alone(sandbox):
    raw = '{\n  "auths": {\n    "ghcr.io": {"auth": "x"},\n  }\n}\n'
    sandbox.write_docker_config(raw=raw)
    rc, c = doctor(sandbox, "--offline")
    assert rc == 1
    assert c["docker-config"]["level"] == "error"
    assert str(sandbox.docker_config_path) in c["docker-config"]["summary"]
    assert "config.json:4:3: not valid JSON (trailing comma)" in c["docker-config"]["summary"]
    assert sandbox.docker_config_bytes() == raw.encode()


def test_docker_config_of_another_user_is_found(sandbox):
    sandbox.write_docker_config({"auths": {}})
    os.chown(sandbox.docker_config_path, 65534, 65534)
    rc, c = doctor(sandbox, "--offline")
    assert rc == 1 and c["docker-config"]["level"] == "error"
    assert "belongs to user id 65534" in c["docker-config"]["summary"]


def test_creds_store_naming_a_missing_helper(sandbox):
    sandbox.write_docker_config({"auths": {}, "credsStore": "desktop"})
    rc, c = doctor(sandbox, "--offline")
    assert rc == 1
    cs = c["creds-store"]
    assert cs["level"] == "error" and "docker-credential-desktop is not on PATH" in cs["summary"]
    assert "credsStore" in cs["fix"]


def test_creds_store_set_after_login_hides_our_tokens_until_refresh(sandbox, keyring):
    """Docker Desktop writes credsStore = "desktop" when it starts: docker then ignores auths."""
    sandbox.login()
    calls = add_store_helper(sandbox, "desktop")
    cfg = sandbox.docker_config()
    cfg["credsStore"] = "desktop"
    sandbox.write_docker_config(cfg)
    rc, c = doctor(sandbox, "--offline")
    assert rc == 1
    cs = c["creds-store"]
    assert cs["level"] == "error", cs
    assert "was set after Dockpass wrote" in cs["summary"] and ECR_HOST in cs["summary"]
    assert "dockpass refresh" in cs["fix"]
    # the fix it names works
    rc, out, err = sandbox.run("refresh", "--profile", "test")
    assert rc == 0, err
    assert any(x["action"] == "store" for x in calls())
    rc, c = doctor(sandbox, "--offline")
    assert c["creds-store"]["level"] == "ok", c["creds-store"]


def test_stale_dockpass_cred_helper_entry_is_a_warning(sandbox):
    stale = f"999999999999.dkr.ecr.{REGION}.amazonaws.com"
    sandbox.write_docker_config({"credHelpers": {stale: "dockpass", "gcr.io": "corpvault"}})
    rc, c = doctor(sandbox, "--offline")
    ch = c["cred-helpers"]
    assert ch["level"] == "error"  # corpvault is missing: an error outranks the stale entry
    assert stale in ch["summary"] and "docker-credential-corpvault is not on PATH" in ch["summary"]
    sandbox.add_script("docker-credential-corpvault", "#!/bin/sh\nexit 1\n")
    rc, c = doctor(sandbox, "--offline")
    assert rc == 0 and c["cred-helpers"]["level"] == "warn", c["cred-helpers"]


def test_helper_mode_without_the_helper_on_path(sandbox):
    sandbox.write_config(sandbox.profile_toml(extra='docker = "helper"'))
    # only the sandbox's own folder: a Dockpass installed on this machine must not count
    rc, c = doctor(sandbox, "--offline", env={"PATH": str(sandbox.bin_dir)})
    assert rc == 1
    hp = c["helper-path"]
    assert hp["level"] == "error" and 'profile test uses docker = "helper"' in hp["summary"], hp
    # and with it on PATH (as the sandbox has it) all is well
    rc, c = doctor(sandbox, "--offline")
    assert c["helper-path"]["level"] == "ok"


def test_unreachable_endpoints_are_told_apart(sandbox):
    port = closed_port()
    extra = f'sts_endpoint = "http://127.0.0.1:{port}"'
    text = sandbox.profile_toml(extra=extra).replace(sandbox.idp.url, "https://idp.dockpass.invalid/sso")
    sandbox.write_config(text)
    rc, c = doctor(sandbox)
    assert rc == 1
    assert c["endpoint-idp"]["level"] == "error"
    assert "cannot resolve idp.dockpass.invalid" in c["endpoint-idp"]["summary"]
    assert c["endpoint-sts"]["level"] == "error"
    assert f"cannot connect to 127.0.0.1:{port}" in c["endpoint-sts"]["summary"]
    assert c["endpoint-ecr"]["level"] == "ok"  # moto, through AWS_ENDPOINT_URL_ECR
    assert "idp_url" in c["endpoint-idp"]["fix"] and "sts_endpoint" in c["endpoint-sts"]["fix"]
    rc, c = doctor(sandbox, "--offline")
    assert rc == 0
    assert all(c[i]["level"] == "info" for i in ("endpoint-idp", "endpoint-sts", "endpoint-ecr"))


def test_broken_config_and_state_files(sandbox):
    sandbox.write_config('[[profile]]\nname = "x"\nregion = 5\n')
    state = sandbox.state_home / "dockpass" / "state.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text("{not json")
    rc, c = doctor(sandbox, "--offline")
    assert rc == 1
    assert c["config"]["level"] == "error" and "line 3" in c["config"]["summary"], c["config"]
    assert c["state"]["level"] == "error" and str(state) in c["state"]["summary"] + c["state"]["fix"]
    assert state.read_text() == "{not json"


def test_human_output_has_a_line_per_check_and_the_fixes(sandbox):
    sandbox.write_docker_config({"credsStore": "desktop"})
    rc, out, err = sandbox.run("doctor", "--offline")
    assert rc == 1 and err == ""
    lines = out.splitlines()
    assert any(l.startswith("FAIL  creds-store") for l in lines), out
    assert any("fix: install docker-credential-desktop" in l for l in lines), out
    assert lines[-1].startswith("1 problem to fix"), out


def test_helper_mode_without_a_keychain_is_said_in_the_keychain_check(sandbox):
    """docker = "helper" and no keychain: the keychain check says that docker then finds
    credentials only while the app or daemon that signed in runs, never for `dockpass login`,
    naming the profile (with docker = "config" the same check says nothing of the sort)."""
    sandbox.write_config(sandbox.profile_toml(extra='docker = "helper"'))
    rc, c = doctor(sandbox, "--offline")
    k = c["keychain"]
    assert k["level"] == "warn", k
    assert 'profile test uses docker = "helper"' in k["summary"], k
    assert "dockpass login" in k["summary"] and "memory only" in k["summary"], k
    assert 'docker = "config"' in k["fix"], k
    sandbox.write_config(sandbox.profile_toml())
    rc, c = doctor(sandbox, "--offline")
    assert 'docker = "helper"' not in c["keychain"]["summary"], c["keychain"]


def test_a_helper_socket_folder_others_can_write_is_an_error(sandbox, tmp_path):
    """$XDG_RUNTIME_DIR/dockpass writable by others (0777, or sticky 1777): the helpers ignore
    any server there, so with a docker = "helper" profile check `helper-socket` is an error
    naming the folder and the profile; a private 0700 folder is fine."""
    import shutil
    import tempfile
    from pathlib import Path

    runtime = Path(tempfile.mkdtemp(prefix="dp-rt-"))
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    folder = runtime / "dockpass"
    try:
        sandbox.write_config(sandbox.profile_toml(extra='docker = "helper"'))
        folder.mkdir()
        for mode in (0o777, 0o1777):
            folder.chmod(mode)
            rc, c = doctor(sandbox, "--offline", env=env)
            hs = c["helper-socket"]
            assert rc == 1 and hs["level"] == "error", (oct(mode), hs)
            assert str(folder) in hs["summary"] and "profile test" in hs["summary"], hs
            assert "other users" in hs["summary"], hs
        folder.chmod(0o700)
        rc, c = doctor(sandbox, "--offline", env=env)
        assert c["helper-socket"]["level"] in ("ok", "info"), c["helper-socket"]
        assert rc == 0, c
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
