"""The app resumes a session from the OS keychain: the CLI signs in (secrets into gnome-keyring),
then the app starts on the same keyring, keeps the session fresh with the STS credentials it
reads back, and Sign out removes the keychain item."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time

from gui_support import ACCOUNT, DEV_ROLE, profile_toml
from webdriver_client import wait

from tests.standins.keyring import KeyringSession

PASSWORD = "pass"

# The app's private bus has no services: this wrapper starts gnome-keyring on it (unlocked,
# same keyring files as the CLI's session), then becomes the app.
WRAPPER = """#!/bin/sh
printf '%s' '{password}' | XDG_RUNTIME_DIR='{runtime}' gnome-keyring-daemon --foreground --unlock --components=secrets >'{log}' 2>&1 &
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
  i=$((i + 1)); [ "$i" -gt 100 ] && break; sleep 0.05
done
exec '{app}' "$@"
"""


def _registries(sandbox) -> list[dict]:
    state = json.loads((sandbox.state_home / "dockpass" / "state.json").read_text())
    return state["profiles"]["test"]["session"]["registries"]


def _lookup(env: dict) -> str:
    r = subprocess.run(["secret-tool", "lookup", "service", "dockpass", "username", "test"],
                       env={**os.environ, **env}, capture_output=True, text=True, timeout=10)
    return r.stdout.strip() if r.returncode == 0 else ""


def test_app_resumes_from_the_keychain_and_sign_out_removes_it(gui, sandbox, moto, idp, registry, tmp_path):
    moto.set_ecr_ttl(20)  # short tokens: the app must refresh them with the keychain's STS session
    sandbox.write_config(profile_toml("test", idp.url, role=DEV_ROLE, registry_aliases=[registry.host]))
    kr = KeyringSession(tmp_path / "cli-keyring", home=sandbox.home, data_home=sandbox.data_home,
                        password=PASSWORD)
    try:
        rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-", "--json",
                                   input=sandbox.saml_page(), env=kr.env)
        assert rc == 0, err
        assert json.loads(out)["secrets"] == "keychain"
        assert _lookup(kr.env), "the CLI put nothing in the keychain"
    finally:
        kr.stop()
    issued_at_login = [r["issued_at"] for r in _registries(sandbox)]

    runtime = tempfile.mkdtemp(prefix="dockpass-kr-")
    try:
        wrapper = sandbox.bin_dir / "dockpass-app-with-keyring"
        wrapper.write_text(WRAPPER.format(password=PASSWORD, runtime=runtime, app=gui.binary,
                                          log=tmp_path / "app-keyring.log"))
        wrapper.chmod(0o755)
        gui.binary = str(wrapper)
        run = gui.launch()
        s = run.session
        run.main_window()
        s.wait_for('[data-testid="session-state"]', 30, "the session card", visible=True)
        # Resumed: the session is there without a sign-in, and the scheduler refreshes the
        # tokens with the STS credentials it read from the keychain.
        wait(lambda: [r["issued_at"] for r in _registries(sandbox)] != issued_at_login, 30,
             "a token refresh by the app")
        assert gui.status("test")["state"] == "active"
        assert gui.status("test")["account"] == ACCOUNT
        warnings = [w.property("textContent") for w in s.find_all('[data-testid="warning"]')]
        assert not warnings, f"the app says it has no keychain: {warnings}"
        gui.shot("resumed-session", s)

        bus = {"DBUS_SESSION_BUS_ADDRESS": run.driver.bus_address}
        assert _lookup(bus), "the app's keyring does not see the CLI's item"
        s.wait_for('[data-testid="sign-out"]', 10, visible=True).click()
        wait(lambda: gui.status("test")["state"] == "logged_out", 20, "sign-out")
        wait(lambda: not _lookup(bus), 10, "the keychain item to go")
        assert registry.host not in sandbox.docker_config().get("auths", {})
        gui.shot("signed-out", s)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
