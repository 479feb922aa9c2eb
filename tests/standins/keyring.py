"""A private D-Bus session bus with gnome-keyring's Secret Service, unlocked, for one test.

Runs `dbus-run-session -- bash SCRIPT` in its own session; the script starts
`gnome-keyring-daemon --foreground --unlock --components=secrets` (foreground, so it stays
a child and is reaped: PID 1 here reaps no orphans) and records its own pid and the bus
address. Stopping SIGTERMs the script, which stops the daemon and waits for it; then
dbus-run-session stops its dbus-daemon and exits. The process group is SIGKILLed after a
bound as a last resort.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .procs import Service, StandinError

_SCRIPT = r"""#!/bin/bash
trap 'kill -TERM "$gk" 2>/dev/null; wait "$gk"; exit 0' TERM INT HUP
printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets &
gk=$!
printf '%s\n%s\n' "$$" "$DBUS_SESSION_BUS_ADDRESS" >"$KEYRING_INFO.tmp" && mv "$KEYRING_INFO.tmp" "$KEYRING_INFO"
wait "$gk"
"""


class KeyringSession:
    """gnome-keyring on a private session bus; `env` holds DBUS_SESSION_BUS_ADDRESS."""

    def __init__(self, workdir: Path, home: Path, data_home: Path, password: str = "pass",
                 timeout: float = 15.0):
        for tool in ("dbus-run-session", "gnome-keyring-daemon", "dbus-send"):
            if not shutil.which(tool):
                raise StandinError(f"{tool} is missing: run scripts/setup")
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        for d in (home, data_home):  # gnome-keyring exits at once without them
            Path(d).mkdir(parents=True, exist_ok=True)
        script = self.workdir / "keyring-session.sh"
        script.write_text(_SCRIPT)
        info = self.workdir / "keyring-session.info"
        info.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "GNOME_KEYRING"))}
        # gnome-keyring puts its control socket in $XDG_RUNTIME_DIR/keyring: keep that path
        # short (sockets are limited to 107 bytes; pytest's tmp paths are long).
        self.runtime_dir = tempfile.mkdtemp(prefix="dockpass-kr-")
        env.update({"HOME": str(home), "XDG_DATA_HOME": str(data_home), "XDG_RUNTIME_DIR": self.runtime_dir,
                    "KEYRING_PASSWORD": password, "KEYRING_INFO": str(info)})
        env.pop("DISPLAY", None)
        self.service = Service("keyring", ["dbus-run-session", "--", "bash", str(script)],
                               self.workdir / "keyring-session.log", env=env)
        deadline = time.monotonic() + timeout
        while not info.exists():
            if not self.service.alive() or time.monotonic() > deadline:
                self.stop()
                raise self.service.fail("no session bus address")
            time.sleep(0.02)
        pid, self.address = info.read_text().splitlines()[:2]
        self.script_pid = int(pid)
        self.env = {"DBUS_SESSION_BUS_ADDRESS": self.address}
        while not self.has_owner("org.freedesktop.secrets"):
            if not self.service.alive() or time.monotonic() > deadline:
                self.stop()
                raise self.service.fail("org.freedesktop.secrets has no owner")
            time.sleep(0.05)

    def has_owner(self, name: str) -> bool:
        r = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
             "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
            env={**os.environ, **self.env}, capture_output=True, text=True, timeout=5)
        return r.returncode == 0 and "boolean true" in r.stdout

    def secret_tool(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["secret-tool", *args], input=input, env={**os.environ, **self.env},
                              capture_output=True, text=True, timeout=10)

    def stop(self) -> None:
        if getattr(self, "script_pid", None) and self.service.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.script_pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.service.proc.wait(timeout=5)
        self.service.stop()
        shutil.rmtree(self.runtime_dir, ignore_errors=True)
