"""The session outside docker: `dockpass env` evaluated by bash, zsh and fish, then the test
venv's AWS CLI (on moto) answers as the role; `dockpass exec` runs a command with the same
variables, passes its exit code on and is the command for signals; a chained role on request;
never secrets on a terminal unless asked; only for profiles with credential_process = true."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support import ACCOUNT, OTHER_ACCOUNT, REGION, assert_one_line_error, require_binary, start_dockpass

from tests.standins.procs import VENV_PYTHON

CHAIN_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/EcrReader"
AWS = str(Path(VENV_PYTHON).parent / "aws")


@pytest.fixture
def signed_in(sandbox, keyring):
    sandbox.write_config(sandbox.profile_toml(extra="credential_process = true")
                         + f'\n[[profile.chain]]\nrole_arn = "{CHAIN_ROLE}"\nregistry = []\n')
    sandbox.login()
    sandbox.env["AWS_PROFILE"] = "would-shadow-the-variables"
    return sandbox


def identity_after(sandbox, shell: str, *env_args: str) -> dict:
    """`eval` of `dockpass env --shell SHELL` in that shell, then `aws sts get-caller-identity`."""
    dp = str(require_binary())
    extra = " ".join(env_args)
    script = {
        "bash": f'eval "$({dp} env --shell bash {extra})" && echo "$AWS_ACCESS_KEY_ID" && {AWS} sts get-caller-identity --output json',
        "zsh": f'eval "$({dp} env --shell zsh {extra})" && echo "$AWS_ACCESS_KEY_ID" && {AWS} sts get-caller-identity --output json',
        "fish": f"eval ({dp} env --shell fish {extra} | string collect); and echo $AWS_ACCESS_KEY_ID; and {AWS} sts get-caller-identity --output json",
    }[shell]
    r = subprocess.run([shell, "-c", script], env=sandbox.env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"{shell}: {r.stderr}"
    key, _, identity = r.stdout.partition("\n")
    rc, out, err = sandbox.run("credentials", *env_args)
    assert rc == 0, err
    assert key == json.loads(out)["AccessKeyId"], "the shell has the session's key"
    return json.loads(identity)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_env_evaluated_by_each_shell_gives_the_aws_cli_the_role(signed_in, shell):
    if not shutil.which(shell):
        pytest.fail(f"{shell} is not installed: run scripts/setup", pytrace=False)
    assert identity_after(signed_in, shell)["Account"] == ACCOUNT
    # The chained role's keys: moto answers with that role's account.
    assert identity_after(signed_in, shell, "--role", "EcrReader")["Account"] == OTHER_ACCOUNT


def test_env_prints_the_standard_variables(signed_in):
    rc, out, err = signed_in.run("env", "--shell", "bash")
    assert rc == 0, err
    names = [line.split("=")[0].removeprefix("export ") for line in out.splitlines() if line.startswith("export ")]
    assert names == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                     "AWS_DEFAULT_REGION", "AWS_CREDENTIAL_EXPIRATION"]
    assert f"export AWS_REGION='{REGION}';" in out
    assert out.startswith("unset AWS_PROFILE;\n")
    rc, out, err = signed_in.run("env", "--shell", "powershell")
    assert rc == 0 and "$Env:AWS_SESSION_TOKEN = '" in out, err
    rc, out, err = signed_in.run("env", "--shell", "tcsh")
    assert_one_line_error(rc, out, err, 2, "bash, zsh, fish or powershell")


def test_env_refuses_a_terminal_without_force(signed_in):
    def on_terminal(*args: str) -> tuple[int, str]:
        main, child = pty.openpty()
        p = subprocess.Popen([str(require_binary()), "env", *args], env=signed_in.env, stdin=child,
                             stdout=child, stderr=subprocess.PIPE, text=True)
        os.close(child)
        _, err = p.communicate(timeout=30)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        os.close(main)
        return p.returncode, err, shown.decode(errors="replace")

    rc, err, shown = on_terminal("--shell", "bash")
    assert rc == 2 and "--force" in err and 'eval "$(dockpass env)"' in err, err
    assert "AWS_SECRET_ACCESS_KEY" not in shown
    rc, err, shown = on_terminal("--shell", "bash", "--force")
    assert rc == 0 and "export AWS_SECRET_ACCESS_KEY=" in shown, err


def test_exec_runs_the_command_with_the_session(signed_in):
    rc, out, err = signed_in.run("exec", "--role", "EcrReader", "--", AWS, "sts", "get-caller-identity",
                                 "--output", "json")
    assert rc == 0, err
    assert json.loads(out)["Account"] == OTHER_ACCOUNT
    rc, out, err = signed_in.run("exec", "--role", CHAIN_ROLE, "--", "sh", "-c",
                                 'echo "$AWS_REGION $AWS_PROFILE"; exit 7')
    assert rc == 7 and out.strip() == REGION, (out, err)
    rc, out, err = signed_in.run("exec", "--", "/no/such/program")
    assert_one_line_error(rc, out, err, 2, "cannot run /no/such/program")


def test_exec_is_the_command_for_signals(signed_in):
    marker = signed_in.root / "started"
    p = start_dockpass(signed_in, "exec", "--", "sh", "-c", f"touch {marker}; exec sleep 30")
    deadline = time.monotonic() + 20
    while not marker.exists():
        assert time.monotonic() < deadline and p.poll() is None, p.stderr.read() if p.poll() is not None else ""
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=10)
    assert p.returncode == -signal.SIGTERM


def test_only_for_profiles_that_hand_out_credentials(sandbox, keyring):
    sandbox.login()
    for args in (["env", "--shell", "bash"], ["exec", "--", "true"]):
        rc, out, err = sandbox.run(*args)
        assert_one_line_error(rc, out, err, 2, "credential_process = true")
        assert out == ""
