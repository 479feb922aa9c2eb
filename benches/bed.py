"""One benchmark's sandbox: a private temp HOME, XDG folders, docker config and Dockpass config,
the stand-ins it needs (moto, saml-idp, gnome-keyring on a private bus), the release binaries,
sign-in through the CLI and `dockpass daemon`.

Everything started here is stopped by `close()` (process groups, bounded waits: PID 1 here
reaps nothing), also at interpreter exit through tests/standins/procs.py's tracking.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Mapping, Sequence

from tests.standins import Idp, MotoServer
from tests.standins.keyring import KeyringSession
from tests.standins.procs import Service, start_tracked, stop_tracked

ACCOUNT = "111111111111"
REGION = "us-east-1"
ECR_HOST = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
ECR_PASSWORD = f"{ACCOUNT}-auth-token"  # moto's token: base64("AWS:" + this)
ROLE = f"{ACCOUNT}/Developer"
PROFILE = "bench"

# The developer's own setup must not leak into a measurement (as in tests/e2e/support.py).
_DROP_PREFIXES = ("AWS_", "DOCKPASS_", "DOCKER_", "XDG_", "REGISTRY_", "DBUS_", "CARGO_TARGET",
                  "GNOME_KEYRING", "PYTHON")
_DROP = {
    "HOME", "DISPLAY", "WAYLAND_DISPLAY", "RUST_LOG", "RUST_BACKTRACE",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR",
}


class BenchError(RuntimeError):
    """A benchmark could not set up or a measured command did not do its job."""


def clean_env() -> dict[str, str]:
    """os.environ without the developer's AWS/Dockpass/docker/XDG/D-Bus/proxy settings."""
    return {k: v for k, v in os.environ.items() if k not in _DROP and not k.startswith(_DROP_PREFIXES)}


class Bed:
    """A benchmark's private world. Use as a context manager; `close()` stops everything."""

    def __init__(self, bin_dir: Path, keep: bool = False):
        self.bin_dir = Path(bin_dir).resolve()
        self.dockpass = self.bin_dir / "dockpass"
        self.helper = self.bin_dir / "docker-credential-dockpass"
        for b in (self.dockpass, self.helper):
            if not (b.is_file() and os.access(b, os.X_OK)):
                raise BenchError(f"{b} is missing: build it (cargo build --release -p dockpass-cli -p dockpass-helper)")
        self.keep = keep
        # Short: the helper socket lives under run/ (unix socket paths are limited to 107 bytes).
        self.root = Path(tempfile.mkdtemp(prefix="dockpass-bench-"))
        self.home = self.root / "home"
        self.docker_dir = self.root / "docker"
        self.config_home = self.root / "config"
        self.state_home = self.root / "state"
        self.data_home = self.root / "data"
        self.cache_home = self.root / "cache"
        self.runtime_dir = self.root / "run"
        self.work = self.root / "work"  # measurement scratch files
        for d in (self.home, self.docker_dir, self.config_home, self.state_home, self.data_home,
                  self.cache_home, self.runtime_dir, self.work):
            d.mkdir(parents=True, exist_ok=True)
        self.runtime_dir.chmod(0o700)
        self.config_path = self.config_home / "dockpass" / "config.toml"
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.moto: MotoServer | None = None
        self.idp: Idp | None = None
        self.keyring: KeyringSession | None = None
        self.daemon: Service | None = None
        self._owned: list = []

    # -- lifetime ------------------------------------------------------------------------------
    def __enter__(self) -> "Bed":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self, factory, *args, **kwargs):
        obj = start_tracked(factory, *args, **kwargs)
        self._owned.append(obj)
        return obj

    def _stop(self, obj) -> None:
        if obj in self._owned:
            self._owned.remove(obj)
        stop_tracked(obj)

    def close(self) -> None:
        errors = []
        while self._owned:
            obj = self._owned.pop()
            try:
                stop_tracked(obj)
            except Exception as e:  # noqa: BLE001 - stop the rest anyway
                errors.append(f"{obj!r}: {e}")
        self.daemon = self.keyring = self.idp = self.moto = None
        if self.keep:
            print(f"bench: kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)
        if errors:
            raise BenchError("could not stop: " + "; ".join(errors))

    # -- stand-ins -----------------------------------------------------------------------------
    def start_standins(self, keyring: bool = True, ecr_ttl: int | None = None) -> None:
        """moto (STS + ECR), saml-idp, and gnome-keyring on a private bus; then the config."""
        self.moto = self._start(MotoServer, self.root / "moto", ecr_ttl=ecr_ttl)
        self.idp = self._start(Idp, self.root / "idp")
        if keyring:
            self.keyring = self._start(KeyringSession, self.root / "keyring", home=self.home,
                                       data_home=self.data_home)
        self.write_config()

    @property
    def env(self) -> dict[str, str]:
        """The environment every Dockpass process of this bed runs with."""
        env = clean_env()
        env.update({
            "HOME": str(self.home),
            "DOCKER_CONFIG": str(self.docker_dir),
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_STATE_HOME": str(self.state_home),
            "XDG_DATA_HOME": str(self.data_home),
            "XDG_CACHE_HOME": str(self.cache_home),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "DOCKPASS_CONFIG": str(self.config_path),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "NO_COLOR": "1",
            "LC_ALL": "C.UTF-8",
            "PATH": os.pathsep.join([str(self.bin_dir), env.get("PATH", "/usr/bin:/bin")]),
        })
        if self.moto is not None:
            env["AWS_ENDPOINT_URL_STS"] = env["AWS_ENDPOINT_URL_ECR"] = env["AWS_ENDPOINT_URL_IAM"] = self.moto.url
        if self.keyring is not None:
            env.update(self.keyring.env)
        return env

    def write_config(self, docker: str = "helper", extra: str = "",
                     registries: Sequence[tuple[str, str]] = ((ACCOUNT, REGION),),
                     chains: Sequence[tuple[str, Sequence[str]]] = (),
                     idp_url: str | None = None) -> Path:
        """One profile `bench`: `registries` as (account, region) pairs, and `chains` as
        (role ARN, [regions of its account]) pairs; `idp_url` defaults to saml-idp's."""
        if self.idp is None:
            raise BenchError("start the stand-ins first")
        lines = [
            "[[profile]]",
            f'name = "{PROFILE}"',
            f'idp_url = "{idp_url or self.idp.url}"',
            f'region = "{REGION}"',
            f'docker = "{docker}"',
            # The benches compare with the aws CLI using the session's keys (`credentials`).
            "credential_process = true",
            # docker's config only, like `docker login` (the containers' file would be a second
            # write whenever podman or skopeo is installed).
            'targets = ["docker"]',
            *([extra] if extra else []),
            "",
        ]
        for account, region in registries:
            lines += ["[[profile.registry]]", f'account = "{account}"', f'region = "{region}"', ""]
        for role_arn, regions in chains:
            regs = ", ".join(f'{{ region = "{r}" }}' for r in regions)
            lines += ["[[profile.chain]]", f'role_arn = "{role_arn}"', f"registry = [{regs}]", ""]
        self.config_path.write_text("\n".join(lines))
        return self.config_path

    # -- Dockpass ------------------------------------------------------------------------------
    def run(self, *args: str, input: str | None = None, env: Mapping[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
        """`dockpass ARGS` in the bed; raise BenchError when it fails."""
        full = {**self.env, **(env or {})}
        try:
            r = subprocess.run([str(self.dockpass), *args], input=input or "", capture_output=True,
                               text=True, env=full, cwd=self.root, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"dockpass {' '.join(args)} did not finish within {timeout:.0f}s") from None
        if r.returncode != 0:
            raise BenchError(f"dockpass {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
        return r

    def login(self) -> None:
        """Sign in at the IdP like a browser and hand the page to `dockpass login`."""
        assert self.idp is not None
        page = self.idp.sign_in()
        self.run("login", "--profile", PROFILE, "--role", ROLE, "--saml-response-file", "-", input=page)

    def saml_response(self) -> str:
        """A fresh sign-in at the IdP: the base64 SAMLResponse (the captured assertion)."""
        assert self.idp is not None
        return self.idp.saml_response()

    def example(self, name: str) -> Path:
        """A release example binary of dockpass-core (target/release/examples/NAME)."""
        path = self.bin_dir / "examples" / name
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BenchError(f"{path} is missing: build it (cargo build --release -p dockpass-core "
                             f"--example {name})")
        return path

    def credentials(self) -> dict:
        """The session's STS credentials (`dockpass credentials`: credential_process JSON)."""
        out = self.run("credentials", "--profile", PROFILE).stdout
        creds = json.loads(out)
        for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
            if not creds.get(k):
                raise BenchError(f"dockpass credentials: no {k} in {out[:200]!r}")
        return creds

    @property
    def socket_path(self) -> Path:
        return self.runtime_dir / "dockpass" / "helper.sock"

    def socket_answers(self) -> bool:
        """Whether something accepts connections on the helper socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            try:
                s.connect(str(self.socket_path))
            except OSError:
                return False
            return True

    def start_daemon(self, timeout: float = 30) -> Service:
        """`dockpass daemon --profile P`, ready once its helper socket accepts connections."""
        self.daemon = self._start(Service, "dockpass daemon",
                                  [str(self.dockpass), "daemon", "--profile", PROFILE],
                                  self.root / "daemon.log", env=self.env, cwd=str(self.root))
        deadline = time.monotonic() + timeout
        while not (self.socket_path.exists() and self.socket_answers()):
            if not self.daemon.alive():
                raise BenchError(f"dockpass daemon exited: {self.daemon.log_tail()}")
            if time.monotonic() > deadline:
                raise BenchError(f"no helper socket at {self.socket_path} after {timeout:.0f}s; "
                                 f"daemon log: {self.daemon.log_tail()}")
            time.sleep(0.05)
        return self.daemon

    def stop_daemon(self) -> None:
        if self.daemon is not None:
            self._stop(self.daemon)
            self.daemon = None
        deadline = time.monotonic() + 5
        while self.socket_answers():
            if time.monotonic() > deadline:
                raise BenchError(f"{self.socket_path} still answers after the daemon stopped")
            time.sleep(0.05)


# -- the aws CLI -------------------------------------------------------------------------------

def aws_bin() -> Path:
    """The aws CLI: the venv's (tests/requirements.txt pins awscli), else the one on PATH."""
    venv_aws = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "aws"
    if venv_aws.is_file():
        return venv_aws
    found = shutil.which("aws")
    if not found:
        raise BenchError("no aws CLI: run scripts/setup (tests/requirements.txt pins awscli)")
    return Path(found)


def aws_env(bed: Bed, creds: dict | None = None) -> dict[str, str]:
    """The aws CLI alone: a clean environment, the bed's HOME, moto, and the given
    credential_process-style keys (none: unsigned calls such as AssumeRoleWithSAML)."""
    assert bed.moto is not None
    env = clean_env()
    env.update({
        "HOME": str(bed.home),
        "AWS_ENDPOINT_URL": bed.moto.url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "LC_ALL": "C.UTF-8",
    })
    if creds:
        env.update({
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        })
    return env


def tool_version(argv: list[str], env: Mapping[str, str]) -> str:
    """The first line a `--version` prints, or "unknown"."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True, env=dict(env), timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (r.stdout.strip() or r.stderr.strip()).splitlines()[0] if r.returncode == 0 else "unknown"
