"""Docker registry stand-in (Debian docker-registry, distribution 2.8) that checks the ECR token.

moto's ECR token for an account is base64("AWS:{account}-auth-token"), so the registry's
htpasswd has user AWS with password "{account}-auth-token". htpasswd has one entry per
user name, so one registry instance accepts one account's token.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from .procs import Service, StandinError, free_port, http_status, wait_until

REGISTRY_BIN = "/usr/bin/docker-registry"


def ecr_password(account: str) -> str:
    """The password inside moto's ECR authorization token for `account`."""
    return f"{account}-auth-token"


class Registry:
    """A running docker-registry on 127.0.0.1:port with htpasswd auth for one account."""

    def __init__(self, workdir: Path, account: str = "111111111111", port: int | None = None):
        if not Path(REGISTRY_BIN).exists():
            raise StandinError(f"{REGISTRY_BIN} is missing: run scripts/setup (apt package docker-registry)")
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.account = account
        self.port = port or free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        self.username = "AWS"
        self.password = ecr_password(account)
        self.storage = self.workdir / f"registry-{self.port}-data"
        self.storage.mkdir(exist_ok=True)
        self.htpasswd = self.workdir / f"registry-{self.port}.htpasswd"
        self.set_password(self.password)
        self.config = self.workdir / f"registry-{self.port}.yml"
        self.config.write_text(
            "version: 0.1\n"
            "log:\n  level: info\n  accesslog:\n    disabled: false\n"
            "storage:\n"
            f"  filesystem:\n    rootdirectory: {self.storage}\n"
            "  delete:\n    enabled: true\n"
            "  maintenance:\n    uploadpurging:\n      enabled: false\n"
            "http:\n"
            f"  addr: 127.0.0.1:{self.port}\n"
            "  headers:\n    X-Content-Type-Options: [nosniff]\n"
            "auth:\n  htpasswd:\n    realm: dockpass-test-registry\n"
            f"    path: {self.htpasswd}\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        self.service = Service("registry", [REGISTRY_BIN, "serve", str(self.config)],
                               self.workdir / f"registry-{self.port}.log", env=env)
        wait_until(self.service, lambda: http_status(self.url + "/v2/", timeout=1.0) == 401,
                   "answering /v2/ with 401", timeout=30)

    def set_password(self, password: str) -> None:
        """Replace the accepted AWS password (the registry re-reads htpasswd when it changes)."""
        out = subprocess.run(["htpasswd", "-Bbn", self.username, password], check=True,
                             capture_output=True, text=True, timeout=30).stdout
        tmp = self.htpasswd.with_suffix(".tmp")
        tmp.write_text(out.strip() + "\n")
        os.replace(tmp, self.htpasswd)

    @property
    def creds(self) -> str:
        return f"{self.username}:{self.password}"

    def push_image(self, repo: str = "team/app", tag: str = "v1", content: bytes | None = None) -> dict:
        """Build a tiny OCI image offline and push it as repo:tag; return its manifest digest etc."""
        layout = self.workdir / f"oci-{repo.replace('/', '_')}-{tag}"
        digest = make_oci_image(layout, tag, content or f"hello from {repo}:{tag}\n".encode())
        skopeo(["copy", "--dest-tls-verify=false", "--dest-creds", self.creds,
                f"oci:{layout}:{tag}", f"docker://{self.host}/{repo}:{tag}"])
        return {"repo": repo, "tag": tag, "ref": f"{self.host}/{repo}:{tag}", "digest": digest}

    def stop(self) -> None:
        self.service.stop()

    def info(self) -> dict:
        return {"url": self.url, "host": self.host, "port": self.port, "account": self.account,
                "username": self.username, "password": self.password, "pid": self.service.pid,
                "log": str(self.service.log_path)}


def skopeo(args: list[str], env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run skopeo; raise StandinError with its stderr on failure."""
    if not shutil.which("skopeo"):
        raise StandinError("skopeo is not on PATH: run scripts/setup")
    r = subprocess.run(["skopeo", *args], capture_output=True, text=True, timeout=timeout, env=env)
    if r.returncode != 0:
        raise StandinError(f"skopeo {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def _blob(layout: Path, data: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(data).hexdigest()
    path = layout / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"sha256:{digest}", len(data)


def make_oci_image(layout: Path, tag: str = "v1", content: bytes = b"hello\n") -> str:
    """Write an OCI image layout by hand (one gzip layer with /hello.txt); return the manifest digest."""
    layout = Path(layout)
    if layout.exists():
        shutil.rmtree(layout)
    layout.mkdir(parents=True)
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')

    tar_buf = io.BytesIO()
    with tarfile.open(fileobj=tar_buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mode, info.mtime = len(content), 0o644, 0
        tar.addfile(info, io.BytesIO(content))
    tar_bytes = tar_buf.getvalue()
    diff_id = "sha256:" + hashlib.sha256(tar_bytes).hexdigest()
    layer = gzip.compress(tar_bytes, mtime=0)
    layer_digest, layer_size = _blob(layout, layer)

    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "dockpass tests"}],
    }, separators=(",", ":")).encode()
    config_digest, config_size = _blob(layout, config)

    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": layer_size}],
    }, separators=(",", ":")).encode()
    manifest_digest, manifest_size = _blob(layout, manifest)

    (layout / "index.json").write_text(json.dumps({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest, "size": manifest_size,
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }],
    }))
    return manifest_digest
