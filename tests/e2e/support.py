"""Helpers for Dockpass's end-to-end tests: the per-test sandbox and running the binary."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pytest

from tests.standins.procs import REPO_ROOT

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
REGION = "us-east-1"
ECR_HOST = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
DEV_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Developer"


def dockpass_bin() -> Path:
    """target/debug/dockpass, or $DOCKPASS_BIN."""
    env = os.environ.get("DOCKPASS_BIN")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    return target / "debug" / "dockpass"


def require_binary() -> Path:
    """The dockpass binary; fail (not skip) the test clearly when it is missing."""
    path = dockpass_bin()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"dockpass binary not found at {path}: build it first "
            "(scripts/setup, or cargo build -p dockpass-cli), or set DOCKPASS_BIN",
            pytrace=False,
        )
    return path


# Variables that would leak the developer's own setup into a test.
_DROP_PREFIXES = ("AWS_", "DOCKPASS_", "DOCKER_", "XDG_", "REGISTRY_", "DBUS_", "CARGO_TARGET")
_DROP = {
    "HOME", "DISPLAY", "WAYLAND_DISPLAY", "RUST_LOG", "RUST_BACKTRACE",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR",
}


def ecr_token(account: str = ACCOUNT) -> str:
    """moto's ECR authorization token for an account (what `auths[HOST].auth` holds)."""
    return base64.b64encode(f"AWS:{account}-auth-token".encode()).decode()


@dataclass
class Sandbox:
    """One test's private HOME, docker config, XDG folders, Dockpass config and environment."""

    root: Path
    moto: Any
    idp: Any
    registry: Any
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        self.docker_dir = self.root / "docker"
        self.config_home = self.root / "xdg-config"
        self.state_home = self.root / "xdg-state"
        self.data_home = self.root / "xdg-data"
        self.cache_home = self.root / "xdg-cache"
        self.bin_dir = self.root / "bin"
        # A desktop session's runtime folder: the containers' auth file (podman, buildah, skopeo)
        # is $XDG_RUNTIME_DIR/containers/auth.json, never the machine's /run/containers/UID.
        self.runtime_dir = self.root / "run"
        for d in (self.home, self.docker_dir, self.config_home, self.state_home,
                  self.data_home, self.cache_home, self.bin_dir, self.runtime_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.runtime_dir.chmod(0o700)
        self.config_path = self.config_home / "dockpass" / "config.toml"
        self.config_path.parent.mkdir(parents=True, exist_ok=True)

        env = {k: v for k, v in os.environ.items()
               if k not in _DROP and not k.startswith(_DROP_PREFIXES)}
        binary_dir = str(dockpass_bin().parent)
        env.update({
            "HOME": str(self.home),
            "DOCKER_CONFIG": str(self.docker_dir),
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_STATE_HOME": str(self.state_home),
            "XDG_DATA_HOME": str(self.data_home),
            "XDG_CACHE_HOME": str(self.cache_home),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "DOCKPASS_CONFIG": str(self.config_path),
            "AWS_ENDPOINT_URL_STS": self.moto.url,
            "AWS_ENDPOINT_URL_ECR": self.moto.url,
            "AWS_ENDPOINT_URL_IAM": self.moto.url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "NO_COLOR": "1",
            "LC_ALL": "C.UTF-8",
            # stand-in helpers first, then dockpass's own bins (docker-credential-dockpass)
            "PATH": os.pathsep.join([str(self.bin_dir), binary_dir, env.get("PATH", "/usr/bin:/bin")]),
        })
        self.env = env
        self.write_config()

    # -- Dockpass config -------------------------------------------------------------------
    @property
    def registry_host(self) -> str:
        return self.registry.host

    def profile_toml(self, name: str = "test", extra: str = "", registry_extra: str = "",
                     aliases: Sequence[str] | None = None) -> str:
        aliases = list(aliases) if aliases is not None else [self.registry.host]
        lines = [
            "[[profile]]",
            f'name = "{name}"',
            f'idp_url = "{self.idp.url}"',
            f'region = "{REGION}"',
            *([extra] if extra else []),
            "",
            "[[profile.registry]]",
            f'account = "{ACCOUNT}"',
            f'region = "{REGION}"',
            f"aliases = {json.dumps(aliases)}",
            *([registry_extra] if registry_extra else []),
        ]
        return "\n".join(lines) + "\n"

    def write_config(self, text: str | None = None, **kw) -> Path:
        self.config_path.write_text(text if text is not None else self.profile_toml(**kw))
        return self.config_path

    # -- docker config ---------------------------------------------------------------------
    @property
    def docker_config_path(self) -> Path:
        return self.docker_dir / "config.json"

    def write_docker_config(self, doc: Any = None, raw: str | bytes | None = None) -> Path:
        p = self.docker_config_path
        if raw is not None:
            p.write_bytes(raw.encode() if isinstance(raw, str) else raw)
        else:
            p.write_text(json.dumps(doc, indent="\t", ensure_ascii=False) + "\n", encoding="utf-8")
        return p

    def docker_config(self) -> dict:
        return json.loads(self.docker_config_path.read_text(encoding="utf-8"))

    def docker_config_bytes(self) -> bytes | None:
        try:
            return self.docker_config_path.read_bytes()
        except FileNotFoundError:
            return None

    @property
    def containers_auth_path(self) -> Path:
        """Where podman login writes in this sandbox."""
        return self.runtime_dir / "containers" / "auth.json"

    def containers_auth(self) -> dict:
        return json.loads(self.containers_auth_path.read_text(encoding="utf-8"))

    # -- helpers on PATH -------------------------------------------------------------------
    def add_script(self, name: str, body: str) -> Path:
        p = self.bin_dir / name
        p.write_text(body)
        p.chmod(p.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return p

    # -- running things --------------------------------------------------------------------
    def run(self, *args: str, input: str | bytes | None = None, env: Mapping[str, str] | None = None,
            timeout: float = 30) -> tuple[int, str, str]:
        return run_dockpass(self, *args, input=input, env=env, timeout=timeout)

    def skopeo(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """skopeo with only the sandbox's auth files (REGISTRY_AUTH_FILE unset): the containers'
        file in $XDG_RUNTIME_DIR first, then docker's config."""
        if not shutil.which("skopeo"):
            pytest.fail("skopeo is not installed: run scripts/setup", pytrace=False)
        return subprocess.run(["skopeo", *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def saml_page(self, **overrides) -> str:
        """A fresh IdP sign-in: the HTML page holding the SAMLResponse form."""
        return self.idp.sign_in(**overrides)

    def login(self, role: str = f"{ACCOUNT}/Developer", *extra: str, page: str | None = None) -> str:
        """`dockpass login` with a fresh assertion on stdin; assert success; return stdout."""
        page = page if page is not None else self.saml_page()
        args = ["login", "--profile", "test", "--saml-response-file", "-", *extra]
        if role:
            args += ["--role", role]
        rc, out, err = self.run(*args, input=page)
        assert rc == 0, f"dockpass login failed ({rc}): {err}"
        return out


def run_dockpass(sandbox: Sandbox, *args: str, input: str | bytes | None = None,
                 env: Mapping[str, str] | None = None, timeout: float = 30) -> tuple[int, str, str]:
    """Run target/debug/dockpass in the sandbox; (exit code, stdout, stderr)."""
    binary = require_binary()
    full_env = dict(sandbox.env)
    if env:
        full_env.update(env)
    data = input.encode() if isinstance(input, str) else input
    try:
        r = subprocess.run([str(binary), *args], input=data if data is not None else b"",
                           capture_output=True, env=full_env, cwd=sandbox.root, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"dockpass {' '.join(args)} did not finish within {timeout}s", pytrace=False)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def assert_one_line_error(rc: int, out: str, err: str, code: int, *must_contain: str) -> str:
    """The error contract: the exit code, exactly one line on stderr (mentioning `must_contain`)."""
    assert rc == code, f"exit code {rc}, expected {code}; stderr: {err!r}"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected exactly one line on stderr, got {err!r}"
    for s in must_contain:
        assert s.lower() in lines[0].lower(), f"{s!r} not in the error line {lines[0]!r}"
    return lines[0]


def start_dockpass(sandbox: "Sandbox", *args: str) -> subprocess.Popen:
    """`dockpass ARGS` in the sandbox, running on (a sign-in that waits for a browser or a code)."""
    return subprocess.Popen([str(require_binary()), *args], env=sandbox.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    """Waits for a process of `start_dockpass`: (exit code, stdout, stderr)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"dockpass did not finish: {err}")
    return proc.returncode, out, err


def opened_url(sandbox: "Sandbox", timeout: float = 15) -> str:
    """The last URL Dockpass opened with the recording `$BROWSER` (`sandbox.opened`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sandbox.opened.exists() and sandbox.opened.read_text().strip():
            return sandbox.opened.read_text().split()[-1]
        time.sleep(0.05)
    raise AssertionError("dockpass did not open a URL with $BROWSER")
