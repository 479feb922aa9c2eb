"""Launcher for the patched moto server (STS + ECR stand-in)."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path

from .procs import REPO_ROOT, VENV_PYTHON, Service, free_port, http_status, no_proxy_opener, wait_until


class MotoServer:
    """A running patched moto server on 127.0.0.1:port."""

    def __init__(self, workdir: Path, ecr_ttl: int | None = None, port: int | None = None,
                 record_saml: bool = False):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ttl_file = self.workdir / "ecr-ttl"
        python = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
        env = dict(os.environ)
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(var, None)
        env["PYTHONPATH"] = str(REPO_ROOT)
        env["PYTHONUNBUFFERED"] = "1"
        env["DOCKPASS_TEST_ECR_TTL_FILE"] = str(self.ttl_file)
        # Every GetAuthorizationToken's region and registryIds (moto_patched.py): ecr_calls().
        self.ecr_log = self.workdir / "ecr-calls.jsonl"
        self.ecr_log.unlink(missing_ok=True)
        env["DOCKPASS_TEST_ECR_LOG"] = str(self.ecr_log)
        if ecr_ttl is not None:
            env["DOCKPASS_TEST_ECR_TTL"] = str(ecr_ttl)
        # With record_saml, every AssumeRoleWithSAML call's SAMLAssertion is appended to
        # saml_log (see moto_patched.py); saml_calls() reads it back, reset() clears it.
        self.saml_log: Path | None = self.workdir / "saml-calls.jsonl" if record_saml else None
        env.pop("DOCKPASS_TEST_SAML_LOG", None)
        if self.saml_log is not None:
            self.saml_log.unlink(missing_ok=True)
            env["DOCKPASS_TEST_SAML_LOG"] = str(self.saml_log)
        self.service = Service(
            "moto",
            [python, "-m", "tests.standins.moto_patched", "-H", "127.0.0.1", "-p", str(self.port)],
            self.workdir / "moto.log",
            env=env,
            cwd=str(REPO_ROOT),
        )
        wait_until(
            self.service,
            lambda: http_status(self.url + "/moto-api/", timeout=1.0) is not None,
            "answering HTTP",
            timeout=60,
        )

    def reset(self) -> None:
        """Clear all moto state (POST /moto-api/reset) and the ECR TTL override."""
        req = urllib.request.Request(self.url + "/moto-api/reset", method="POST", data=b"")
        with no_proxy_opener().open(req, timeout=10) as resp:
            resp.read()
        self.set_ecr_ttl(None)
        self.ecr_log.unlink(missing_ok=True)
        if self.saml_log is not None:
            self.saml_log.unlink(missing_ok=True)

    def saml_calls(self) -> list[dict]:
        """AssumeRoleWithSAML calls since start or reset: [{role_arn, principal_arn, assertion}]."""
        if self.saml_log is None:
            raise RuntimeError("start MotoServer(record_saml=True) to record SAML calls")
        try:
            text = self.saml_log.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def ecr_calls(self) -> list[dict]:
        """GetAuthorizationToken calls since start or reset: [{region, registry_ids}]."""
        try:
            text = self.ecr_log.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def set_ecr_ttl(self, seconds: int | None) -> None:
        """Make later GetAuthorizationToken answers expire `seconds` from now (None: default)."""
        if seconds is None:
            self.ttl_file.unlink(missing_ok=True)
        else:
            self.ttl_file.write_text(f"{int(seconds)}\n")

    def client(self, service: str, region: str = "us-east-1", **creds):
        """A boto3 client (moto's dependency, venv only) talking to this server."""
        import boto3

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id=creds.get("access_key", "testing"),
            aws_secret_access_key=creds.get("secret_key", "testing"),
            aws_session_token=creds.get("session_token"),
        )

    def client_as(self, account: str, service: str, region: str = "us-east-1"):
        """A boto3 client acting as `account` (moto maps AssumeRole keys to the role's account)."""
        sts = self.client("sts", region)
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/TestAdmin",
                            RoleSessionName="test")["Credentials"]
        return self.client(service, region, access_key=c["AccessKeyId"],
                           secret_key=c["SecretAccessKey"], session_token=c["SessionToken"])

    def stop(self) -> None:
        self.service.stop()

    def info(self) -> dict:
        return {"url": self.url, "port": self.port, "pid": self.service.pid, "log": str(self.service.log_path)}
