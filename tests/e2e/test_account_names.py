"""Account names instead of numbers: the profile's own (`[profile.accounts]`), else the account
alias from IAM ListAccountAliases (moto), kept in the state file; shown by login, status and
roles."""

from __future__ import annotations

import json
from pathlib import Path

from support import ACCOUNT, OTHER_ACCOUNT

from tests.standins.procs import VENV_PYTHON

AWS = str(Path(VENV_PYTHON).parent / "aws")


def status(sandbox) -> dict:
    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0, err
    return json.loads(out)


def roles(sandbox) -> dict:
    rc, out, err = sandbox.run("roles", "--profile", "test", "--json")
    assert rc == 0, err
    return {r["role_arn"]: r for r in json.loads(out)}


def test_the_account_alias_names_the_account(sandbox, keyring):
    sandbox.write_config(extra="credential_process = true")
    out = sandbox.login()
    assert f"@ {ACCOUNT} until" in out, "no alias yet: the number"
    assert "account_name" not in status(sandbox)

    # The account gets an alias (the session's own credentials may set it in moto).
    rc, out, err = sandbox.run("exec", "--", AWS, "iam", "create-account-alias",
                               "--account-alias", "acme-dev")
    assert rc == 0, err

    out = sandbox.login()
    assert f"as Developer @ acme-dev ({ACCOUNT}) until" in out, out
    assert status(sandbox)["account_name"] == "acme-dev"
    rc, out, _ = sandbox.run("status", "--profile", "test")
    assert f"({ACCOUNT})" in out and "acme-dev" in out, out
    state = json.loads((sandbox.state_home / "dockpass" / "state.json").read_text())
    assert state["profiles"]["test"]["account_names"] == {ACCOUNT: "acme-dev"}
    dev = roles(sandbox)[f"arn:aws:iam::{ACCOUNT}:role/Developer"]
    assert dev["account_name"] == "acme-dev"


def test_the_profile_names_its_accounts_as_a_table(sandbox):
    sandbox.write_config(sandbox.profile_toml(extra="")
                         + f'\n[profile.accounts]\n"{ACCOUNT}" = "prod"\n"{OTHER_ACCOUNT}" = "shared services"\n')
    out = sandbox.login()
    assert f"as Developer @ prod ({ACCOUNT}) until" in out, out
    assert status(sandbox)["account_name"] == "prod"
    listed = roles(sandbox)
    names = {r["account"]: r["account_name"] for r in listed.values()}
    assert names == {ACCOUNT: "prod", OTHER_ACCOUNT: "shared services"}
    rc, out, _ = sandbox.run("roles", "--profile", "test")
    assert f"{OTHER_ACCOUNT}/" in out and "(shared services)" in out, out


def test_a_bad_name_is_one_line_naming_the_account(sandbox):
    from support import assert_one_line_error
    sandbox.write_config(sandbox.profile_toml() + f'\n[profile.accounts]\n"{ACCOUNT}" = "a,b"\n')
    rc, out, err = sandbox.run("status", "--profile", "test")
    assert_one_line_error(rc, out, err, 2, ACCOUNT)
    assert "','" in err, err
