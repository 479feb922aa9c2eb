"""Secrets: the real Secret Service (gnome-keyring on a private bus) when there is one, memory
only (said on stderr) when there is none, and never a plain file."""

from __future__ import annotations

import json
from pathlib import Path

from support import ecr_token


def _files_mentioning(root: Path, needles: list[str], skip: set[Path]) -> list[str]:
    hits = []
    for p in root.rglob("*"):
        if not p.is_file() or p in skip or any(part.startswith("keyring") for part in p.parts):
            continue
        try:
            text = p.read_text(errors="replace").lower()
        except OSError:
            continue
        hits += [f"{p}: {n}" for n in needles if n.lower() in text]
    return hits


SECRET_WORDS = ["secret_access_key", "secretaccesskey", "session_token", "sessiontoken"]


def test_without_a_keychain_secrets_stay_in_memory_and_it_says_so(sandbox):
    assert "DBUS_SESSION_BUS_ADDRESS" not in sandbox.env
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", "111111111111/Developer", "--json", input=sandbox.saml_page())
    assert rc == 0, err
    assert json.loads(out)["secrets"] == "memory"
    warnings = [line for line in err.splitlines() if line.strip()]
    assert len(warnings) == 1 and "keychain" in warnings[0].lower(), err
    # docker credentials are written all the same
    assert sandbox.docker_config()["auths"][sandbox.registry_host]["auth"] == ecr_token()
    # and no STS secret was put in a file
    assert _files_mentioning(sandbox.root, SECRET_WORDS, {sandbox.docker_config_path}) == []


def test_with_gnome_keyring_secrets_go_to_the_keychain(sandbox, keyring):
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", "111111111111/Developer", "--json", input=sandbox.saml_page())
    assert rc == 0, err
    assert json.loads(out)["secrets"] == "keychain"
    assert "keychain" not in err.lower(), err
    found = keyring.secret_tool("lookup", "service", "dockpass", "username", "test")
    assert found.returncode == 0 and found.stdout.strip(), f"no keychain item: {found.stderr}"
    assert _files_mentioning(sandbox.root, SECRET_WORDS, {sandbox.docker_config_path}) == []

    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    gone = keyring.secret_tool("lookup", "service", "dockpass", "username", "test")
    assert gone.returncode != 0 or not gone.stdout.strip(), "the keychain item survived logout"


def test_refresh_takes_the_session_from_the_keychain(sandbox, keyring):
    rc, _, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                             "--role", "111111111111/Developer", input=sandbox.saml_page())
    assert rc == 0, err
    # A new process: the STS credentials come from the keychain, the tokens from ECR.
    rc, out, err = sandbox.run("refresh", "--profile", "test", "--json")
    assert rc == 0, err
    report = json.loads(out)
    assert [r["host"] for r in report["registries"]][-1] == sandbox.registry_host
    assert sandbox.docker_config()["auths"][sandbox.registry_host]["auth"] == ecr_token()
    rc, out, _ = sandbox.run("status", "--profile", "test", "--json")
    assert json.loads(out)["state"] == "active"
    state = json.loads((sandbox.state_home / "dockpass" / "state.json").read_text())
    regs = state["profiles"]["test"]["session"]["registries"]
    assert all(r.get("issued_at") for r in regs), regs


def test_refresh_without_a_keychain_says_to_sign_in_again(sandbox):
    rc, _, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                             "--role", "111111111111/Developer", input=sandbox.saml_page())
    assert rc == 0, err
    before = sandbox.docker_config_path.read_bytes()
    rc, out, err = sandbox.run("refresh", "--profile", "test")
    assert rc == 3, (rc, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "sign in again" in lines[0], err
    assert sandbox.docker_config_path.read_bytes() == before
