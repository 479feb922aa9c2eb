"""Helpers for the GUI tests: launching dockpass-app under WebDriver, windows, screenshots,
waiting for outcomes in files (the app's stdout does not come through tauri-driver)."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse
from pathlib import Path
from typing import Sequence

import pytest

from tests.standins.procs import REPO_ROOT

from desktop import AppDriver, Xvfb
from webdriver_client import Session, WebDriverError, wait

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
REGION = "us-east-1"
DEV_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Developer"
OTHER_DEV_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/Developer"
MAIN_URL_PREFIX = "tauri://localhost"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"

_AWS_SIGNIN_HOSTS = ("signin.aws.amazon.com", "signin.amazonaws-us-gov.com", "signin.amazonaws.cn")


def ecr_host(account: str = ACCOUNT, region: str = REGION) -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


def app_binary() -> Path:
    """target/debug/dockpass-app, or $DOCKPASS_APP_BIN; fail (not skip) when missing."""
    env = os.environ.get("DOCKPASS_APP_BIN")
    if env:
        path = Path(env)
    else:
        target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
        path = target / "debug" / "dockpass-app"
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"dockpass-app not found at {path}: build it first (scripts/setup, or "
                    "cargo build --workspace), or set DOCKPASS_APP_BIN", pytrace=False)
    return path


def is_aws_signin(url: str) -> bool:
    """True for any URL on an AWS sign-in host (the ACS URLs and everything else there)."""
    try:
        host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in _AWS_SIGNIN_HOSTS)


def sandbox_processes(sandbox) -> list[tuple[int, list[str]]]:
    """(pid, argv) of the live processes of the app binary started for `sandbox` (matched by
    exe and by DOCKPASS_CONFIG in their environment; zombies have no exe)."""
    binary = str(app_binary().resolve())
    mine = f"DOCKPASS_CONFIG={sandbox.config_path}".encode()
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if os.readlink(d / "exe") != binary:
                continue
            if mine not in (d / "environ").read_bytes().split(b"\0"):
                continue
            argv = [a.decode() for a in (d / "cmdline").read_bytes().split(b"\0") if a]
            found.append((int(d.name), argv))
        except OSError:
            continue
    return found


def profile_toml(name: str, idp_url: str, role: str | None = None, registry_aliases: Sequence[str] | None = None,
                 registry_account: str = ACCOUNT, extra: str = "") -> str:
    """One [[profile]]; with `registry_aliases` (even empty) an explicit registry of
    `registry_account`, else none (the default: the role's account in us-east-1); `extra`
    lines go into the profile's own table."""
    lines = ["[[profile]]", f'name = "{name}"', f'idp_url = "{idp_url}"', f'region = "{REGION}"']
    if role:
        lines.append(f'role = "{role}"')
    if extra:
        lines.append(extra)
    if registry_aliases is not None:
        lines += ["", "[[profile.registry]]", f'account = "{registry_account}"', f'region = "{REGION}"',
                  f"aliases = {json.dumps(list(registry_aliases))}"]
    return "\n".join(lines) + "\n"


class Gui:
    """One test's GUI runs: app launches under WebDriver, artifacts, outcomes in files."""

    def __init__(self, sandbox, xvfb: Xvfb, artifacts: Path, workdir: Path):
        self.sandbox = sandbox
        self.x = xvfb
        self.artifacts = artifacts
        self.workdir = workdir
        self.binary = str(app_binary())
        self.runs: list[AppRun] = []
        self.notes: list[str] = []

    @property
    def env(self) -> dict[str, str]:
        env = dict(self.sandbox.env)
        env.update(self.x.env)
        env.update({
            "GDK_BACKEND": "x11",
            "NO_AT_BRIDGE": "1",            # no accessibility bus on the private D-Bus
            "DOCKPASS_LOG": "info",
            "RUST_BACKTRACE": "1",
        })
        return env

    def launch(self, *args: str) -> "AppRun":
        run = AppRun(self, list(args), self.workdir / f"run{len(self.runs) + 1}")
        self.runs.append(run)
        return run

    # -- artifacts -------------------------------------------------------------------------
    def screen(self, name: str) -> Path | None:
        return self.x.screenshot(self.artifacts / f"{name}.screen.png")

    def shot(self, name: str, session: Session | None = None) -> None:
        """WebDriver screenshot of the session's current window (if any) and the whole screen."""
        if session is not None:
            try:
                # Two animation frames: what the DOM says has been painted.
                session.execute_async("var done = arguments[arguments.length - 1];"
                                      "requestAnimationFrame(function () { requestAnimationFrame(done); });",
                                      timeout=10)
            except WebDriverError:
                pass
            try:
                session.screenshot(self.artifacts / f"{name}.webdriver.png")
            except WebDriverError as e:
                self.note(f"no WebDriver screenshot for {name}: {e}")
        self.screen(name)

    def note(self, text: str) -> None:
        self.notes.append(text)

    # -- outcomes in files -----------------------------------------------------------------
    def status(self, profile: str = "test") -> dict:
        rc, out, err = self.sandbox.run("status", "--profile", profile, "--json")
        assert rc == 0, f"dockpass status failed ({rc}): {err}"
        return json.loads(out)

    def wait_status(self, profile: str = "test", state: str = "active", role_arn: str | None = None,
                    timeout: float = 30.0) -> dict:
        last: dict = {}

        def probe():
            nonlocal last
            rc, out, err = self.sandbox.run("status", "--profile", profile, "--json")
            if rc != 0:
                last = {"rc": rc, "stderr": err}
                return None
            last = json.loads(out)
            if last.get("state") != state:
                return None
            if role_arn and last.get("role_arn") != role_arn:
                return None
            return last

        return wait(probe, timeout, f"profile {profile} {state}{' as ' + role_arn if role_arn else ''}",
                    lambda: f"; last status: {last}; {self.log_tail()}", interval=0.25)

    def docker_hosts(self) -> dict:
        p = self.sandbox.docker_config_path
        if not p.exists():
            return {}
        doc = json.loads(p.read_text(encoding="utf-8"))
        return doc.get("auths") or {}

    def wait_docker_host(self, host: str, timeout: float = 20.0) -> dict:
        return wait(lambda: self.docker_hosts().get(host), timeout, f"{host} in the docker config",
                    lambda: f"; auths: {sorted(self.docker_hosts())}")

    def log_tail(self, limit: int = 3000) -> str:
        if not self.runs:
            return ""
        return f"app log tail:\n{self.runs[-1].driver.service.log_tail()[-limit:]}"

    def finish(self) -> None:
        for i, run in enumerate(self.runs, 1):
            run.stop()
            try:
                shutil.copyfile(run.driver.log_path, self.artifacts / f"app-run{i}.log")
            except OSError:
                pass
        if self.notes:
            (self.artifacts / "notes.txt").write_text("\n".join(self.notes) + "\n")


class AppRun:
    """dockpass-app started by WebKitWebDriver through its own tauri-driver."""

    def __init__(self, gui: Gui, args: list[str], workdir: Path):
        self.gui = gui
        self.args = args
        # GTK's GL as GTK decides (the app turns it off unless GDK_GL is set, main.rs): with it
        # off, WebKitWebDriver's screenshots of a page never return (WebKitGTK 2.50). The
        # shipped default is what the tests without WebDriver run (desktop.PlainApp).
        self.driver = AppDriver(workdir, {**gui.env, "GDK_GL": ""})
        try:
            self.session = self.driver.start(gui.binary, args)
        except Exception:
            self.driver.stop()
            raise
        self.stopped = False

    def windows(self) -> dict[str, str]:
        """{handle: URL} of the app's webviews the driver sees."""
        return self.session.windows()

    def wait_window(self, prefix: str, timeout: float = 20.0, what: str | None = None) -> str:
        """The handle of a window whose URL starts with `prefix`; switched to it."""
        def probe():
            for h, url in self.windows().items():
                if url.startswith(prefix):
                    self.session.switch_to(h)
                    return h
            return None

        return wait(probe, timeout, what or f"a window at {prefix}",
                    lambda: f"; windows: {self.safe_windows()}; {self.gui.log_tail()}", interval=0.2)

    def wait_loaded(self, timeout: float = 20.0) -> None:
        """The current window's document is loaded (sessions use pageLoadStrategy none)."""
        def probe():
            try:
                return self.session.execute("return document.readyState") == "complete"
            except WebDriverError:
                return False

        wait(probe, timeout, "the page to load", lambda: f"; URL: {self.session.current_url}")

    def safe_windows(self) -> dict[str, str] | str:
        try:
            return self.windows()
        except WebDriverError as e:
            return str(e)

    def main_window(self, timeout: float = 20.0) -> str:
        return self.wait_window(MAIN_URL_PREFIX, timeout, "the main window")

    def watch_until_closed(self, handle: str, timeout: float = 30.0) -> list[str]:
        """Every URL the window shows until it closes (polled); fails when it stays open."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                handles = self.session.handles()
            except WebDriverError:
                handles = []
            if handle not in handles:
                return seen
            try:
                self.session.switch_to(handle)
                url = self.session.current_url
                if not seen or seen[-1] != url:
                    seen.append(url)
            except WebDriverError as e:
                if e.error != "no such window":
                    raise
            if time.monotonic() > deadline:
                raise AssertionError(f"the window {handle} did not close within {timeout:.0f}s; "
                                     f"URLs seen: {seen}; {self.gui.log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.driver.stop()
