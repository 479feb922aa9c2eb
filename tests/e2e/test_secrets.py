"""Secrets are radioactive (issue 6, item 4): the whole chain (login, refresh, status, roles,
repos, a failing refresh, logout) at trace log level, and no secret appears in any log line,
CLI output, error message or file Dockpass owns. The secrets: the STS secret key and session
token, the ECR password, and the SAML assertion (whole, or any 32-character piece of it, or
its signature)."""

from __future__ import annotations

import base64
import json
import re

from support import ACCOUNT, ECR_HOST

from tests.standins import decode_saml_response, extract_saml_response
from tests.standins.procs import free_port
from tests.standins.registry import ecr_password


def pieces(secret: str, size: int = 32) -> list[str]:
    """The secret and every 32-character window of it at a stride of 16: a log line holding
    any part of it is caught."""
    if len(secret) <= size:
        return [secret]
    return [secret[i:i + size] for i in range(0, len(secret) - size + 1, 16)]


def context(text: str, values: list[str]) -> str:
    """The line around the first leak, with the secret itself masked."""
    for v in values:
        i = text.find(v)
        if i >= 0:
            start = text.rfind("\n", 0, i) + 1
            return text[start:i][-200:] + "<SECRET>"
    return ""


def test_no_secret_anywhere_at_trace_level(sandbox, keyring):
    trace = {"DOCKPASS_LOG": "trace", "RUST_LOG": "trace", "RUST_BACKTRACE": "1"}
    sandbox.write_config(extra="credential_process = true")  # `dockpass credentials` below
    page = sandbox.saml_page()
    response = extract_saml_response(page)
    signature = re.search(r"<(?:\w+:)?SignatureValue>([^<]+)<", decode_saml_response(response)).group(1)
    seen: dict[str, str] = {}  # what -> text

    def run(name: str, *args: str, input: str | None = None, env: dict | None = None, ok: bool = True):
        rc, out, err = sandbox.run(*args, input=input, env={**trace, **(env or {})}, timeout=60)
        if ok:
            assert rc == 0, f"{name}: {err[-2000:]}"
        seen[f"{name} stdout"] = out
        seen[f"{name} stderr"] = err
        return out

    run("login", "login", "--profile", "test", "--role", f"{ACCOUNT}/Developer",
        "--saml-response-file", "-", "--json", input=page)
    # The session's own secrets, to look for (this command prints them: that is its job).
    rc, out, err = sandbox.run("credentials", "--profile", "test", env=trace)
    assert rc == 0, err
    seen["credentials stderr"] = err
    creds = json.loads(out)
    run("refresh", "refresh", "--profile", "test", "--json")
    run("status", "status", "--profile", "test", "--json")
    run("status (text)", "status", "--profile", "test")
    run("roles", "roles", "--profile", "test", "--json")
    run("repos", "repos", "--profile", "test", "--json")
    dead = f"http://127.0.0.1:{free_port()}"
    run("failing refresh", "refresh", "--profile", "test", env={"AWS_ENDPOINT_URL_ECR": dead}, ok=False)
    run("failing login", "login", "--profile", "test", "--saml-response-file", "-", "--role", "Nope",
        input=page, ok=False)
    run("saml inspect", "saml", "inspect", "-", "--json", input=page)

    trace_lines = seen["login stderr"].count("\n")
    assert trace_lines > 50, f"trace logging did not reach the process ({trace_lines} lines)"

    secrets = {
        "STS secret key": [creds["SecretAccessKey"]],
        "STS session token": pieces(creds["SessionToken"]),
        "ECR password": [ecr_password(ACCOUNT)],
        "ECR docker auth": [base64.b64encode(f"AWS:{ecr_password(ACCOUNT)}".encode()).decode()],
        "SAML assertion": pieces("".join(response.split())),
        "SAML signature": pieces("".join(signature.split())),
    }
    # Files Dockpass owns (the docker config holds the ECR token by design: not checked).
    for folder in (sandbox.state_home, sandbox.config_home, sandbox.data_home, sandbox.cache_home):
        for f in folder.rglob("*"):
            if f.is_file() and not f.name.endswith(".sock"):
                seen[f"file {f.relative_to(sandbox.root)}"] = f.read_text(errors="replace")
    leaks = [(what, where, context(text, values)) for what, values in secrets.items()
             for where, text in seen.items() if any(v in text for v in values)]
    assert not leaks, f"secrets leaked: {leaks}"
    # The docker config holds exactly what docker login would, nothing more.
    cfg = sandbox.docker_config()
    assert set(cfg["auths"][ECR_HOST]) == {"auth"}
    assert not any(v in json.dumps(cfg) for v in secrets["SAML assertion"] + secrets["STS session token"])
