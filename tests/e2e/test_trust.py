"""Trust boundaries with the real binaries and stand-ins.

Trust on first use (CLI): a profile remembers the IdP issuer and the AWS accounts it signed in
with (state file, `known`); an assertion from another issuer or a role in another account is
refused (exit 2, code `untrusted`, one line naming --trust-new-account) before anything is
asked of STS or written to docker, until the user passes --trust-new-account or lists the
account in `accounts`. moto records every AssumeRoleWithSAML call (conftest), so "nothing
asked of STS" is checked at STS itself.

The helper socket: docker-credential-dockpass and `dockpass credentials` ask a socket only in
a runtime folder that is the user's alone and only a server of the user's own uid; a fake
server (tests/standins/fake_helper.py) planted anywhere else is never believed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from support import ACCOUNT, DEV_ROLE, ECR_HOST, OTHER_ACCOUNT, assert_one_line_error, require_binary

from tests.standins import Idp
from tests.standins.fake_helper import FAKE_KEY_ID, FAKE_SECRET, FakeHelperSocket
from tests.standins.procs import start_tracked, stop_tracked

OTHER_ISSUER = "urn:other:idp"
OTHER_DEV = f"arn:aws:iam::{OTHER_ACCOUNT}:role/Developer"


@pytest.fixture(scope="module")
def other_idp(tmp_path_factory):
    """A second saml-idp, same user and roles, another issuer (its own key as well)."""
    i = start_tracked(Idp, tmp_path_factory.mktemp("other-idp"), issuer=OTHER_ISSUER)
    yield i
    stop_tracked(i)


def known(sandbox) -> dict:
    state = json.loads((sandbox.state_home / "dockpass" / "state.json").read_text())
    return state["profiles"]["test"].get("known", {})


def status(sandbox) -> dict:
    rc, out, err = sandbox.run("status", "--profile", "test", "--json")
    assert rc == 0, err
    return json.loads(out)


def sts_roles(sandbox) -> list[str]:
    """The RoleArn of every AssumeRoleWithSAML that reached moto since the sandbox began."""
    return [c["role_arn"] for c in sandbox.moto.saml_calls()]


def login(sandbox, role: str | None, *extra: str, page: str | None = None):
    args = ["login", "--profile", "test", "--saml-response-file", "-", *extra]
    if role:
        args += ["--role", role]
    return sandbox.run(*args, input=page if page is not None else sandbox.saml_page())


def assert_untrusted(sandbox, rc: int, out: str, err: str, *words: str, before: bytes | None,
                     calls: list[str]) -> None:
    """Refused as untrusted: exit 2, one line naming --trust-new-account (and `words`),
    nothing on stdout, no STS call, the docker config byte for byte as it was."""
    assert out == ""
    assert_one_line_error(rc, out, err, 2, "--trust-new-account", *words)
    assert sts_roles(sandbox) == calls, "STS was asked before the user trusted the assertion"
    assert sandbox.docker_config_bytes() == before, "the docker config changed"


# -- trust on first use --------------------------------------------------------------------

def test_an_assertion_from_another_issuer_waits_for_trust(sandbox, other_idp):
    """After one sign-in the issuer is remembered; an assertion of another issuer (for the
    same, known role) is refused untouched until --trust-new-account, which then signs in
    and remembers the new issuer: the next sign-in with it needs no flag."""
    sandbox.login()
    assert known(sandbox) == {"issuer": "urn:test:idp", "accounts": [ACCOUNT]}
    assert sts_roles(sandbox) == [DEV_ROLE]
    before, calls = sandbox.docker_config_bytes(), sts_roles(sandbox)

    rc, out, err = login(sandbox, f"{ACCOUNT}/Developer", page=other_idp.sign_in())
    assert_untrusted(sandbox, rc, out, err, OTHER_ISSUER, "urn:test:idp", before=before, calls=calls)
    assert known(sandbox) == {"issuer": "urn:test:idp", "accounts": [ACCOUNT]}
    assert status(sandbox)["state"] == "active"  # the session before it goes on

    rc, out, err = login(sandbox, f"{ACCOUNT}/Developer", "--trust-new-account",
                         page=other_idp.sign_in())
    assert rc == 0, err
    assert sts_roles(sandbox) == [DEV_ROLE, DEV_ROLE]
    assert known(sandbox)["issuer"] == OTHER_ISSUER

    rc, out, err = login(sandbox, f"{ACCOUNT}/Developer", page=other_idp.sign_in())
    assert rc == 0, err
    assert sts_roles(sandbox) == [DEV_ROLE] * 3


def test_a_role_in_an_account_not_used_before_waits_for_trust(sandbox):
    """The IdP offers Developer in a second account: --role for it after a sign-in to the
    first is refused untouched until --trust-new-account; after that both accounts are
    known and switching between them needs no flag."""
    sandbox.login()
    before, calls = sandbox.docker_config_bytes(), sts_roles(sandbox)

    rc, out, err = login(sandbox, f"{OTHER_ACCOUNT}/Developer")
    assert_untrusted(sandbox, rc, out, err, OTHER_ACCOUNT, before=before, calls=calls)
    st = status(sandbox)
    assert (st["state"], st["account"]) == ("active", ACCOUNT)
    assert known(sandbox)["accounts"] == [ACCOUNT]
    # the full ARN is no way around it
    rc, out, err = login(sandbox, OTHER_DEV)
    assert_untrusted(sandbox, rc, out, err, OTHER_ACCOUNT, before=before, calls=calls)

    rc, out, err = login(sandbox, f"{OTHER_ACCOUNT}/Developer", "--trust-new-account")
    assert rc == 0, err
    assert sts_roles(sandbox) == [DEV_ROLE, OTHER_DEV]
    assert status(sandbox)["account"] == OTHER_ACCOUNT
    assert known(sandbox) == {"issuer": "urn:test:idp", "accounts": [ACCOUNT, OTHER_ACCOUNT]}

    for role, arn in ((f"{OTHER_ACCOUNT}/Developer", OTHER_DEV), (f"{ACCOUNT}/Developer", DEV_ROLE)):
        rc, out, err = login(sandbox, role)
        assert rc == 0, f"{role}: {err}"
        assert status(sandbox)["role_arn"] == arn
    assert sts_roles(sandbox) == [DEV_ROLE, OTHER_DEV, OTHER_DEV, DEV_ROLE]


def test_accounts_in_the_profile_are_known_in_advance(sandbox):
    """`accounts = [...]` makes those accounts known before any sign-in, and bounds the first
    one: a role outside the list waits for trust even on a fresh profile."""
    sandbox.write_config(extra=f'accounts = ["{OTHER_ACCOUNT}"]')
    rc, out, err = login(sandbox, f"{ACCOUNT}/Developer")
    assert_untrusted(sandbox, rc, out, err, ACCOUNT, before=None, calls=[])
    assert status(sandbox)["state"] == "logged_out"

    rc, out, err = login(sandbox, f"{OTHER_ACCOUNT}/Developer")
    assert rc == 0, err
    assert sts_roles(sandbox) == [OTHER_DEV]

    sandbox.write_config(extra=f'accounts = ["{OTHER_ACCOUNT}", "{ACCOUNT}"]')
    rc, out, err = login(sandbox, f"{ACCOUNT}/Developer")
    assert rc == 0, err
    assert status(sandbox)["account"] == ACCOUNT
    assert sts_roles(sandbox) == [OTHER_DEV, DEV_ROLE]


def test_a_bare_role_name_picks_only_in_known_accounts(sandbox):
    """The assertion offers Developer in two accounts. With nothing known a bare `--role
    Developer` is ambiguous; once the profile used one account (or lists one), the bare name
    picks the role in that account, never the other."""
    rc, out, err = login(sandbox, "Developer")
    assert_one_line_error(rc, out, err, 2, "Developer")
    assert sts_roles(sandbox) == []

    sandbox.login(f"{ACCOUNT}/ReadOnly")
    rc, out, err = login(sandbox, "Developer")
    assert rc == 0, err
    assert status(sandbox)["role_arn"] == DEV_ROLE
    assert sts_roles(sandbox)[-1] == DEV_ROLE

    # a fresh profile that lists only the other account: the bare name means that one
    (sandbox.state_home / "dockpass" / "state.json").unlink()
    sandbox.write_config(extra=f'accounts = ["{OTHER_ACCOUNT}"]')
    rc, out, err = login(sandbox, "Developer")
    assert rc == 0, err
    assert status(sandbox)["role_arn"] == OTHER_DEV
    assert sts_roles(sandbox)[-1] == OTHER_DEV


# -- the helper socket: only one's own server, in one's own private folder -----------------

def docker_helper(sandbox, *, stdin: str, env: dict | None = None) -> tuple[int, str]:
    binary = require_binary().parent / "docker-credential-dockpass"
    r = subprocess.run([str(binary), "get"], input=stdin, capture_output=True, text=True,
                       env={**sandbox.env, **(env or {})}, timeout=60)
    return r.returncode, r.stdout


@pytest.fixture
def runtime_dir(sandbox):
    """A short XDG_RUNTIME_DIR (socket paths are limited to 107 bytes) in the sandbox's env."""
    d = Path(tempfile.mkdtemp(prefix="dp-rt-"))
    sandbox.env["XDG_RUNTIME_DIR"] = str(d)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def connects(events: list[dict]) -> list[dict]:
    return [e for e in events if e["event"] == "connect"]


def signed_in_for_the_helpers(sandbox) -> str:
    """docker = "helper" and credential_process = true, signed in with the keychain; returns
    the session's real AccessKeyId (read while no socket exists: from the keychain)."""
    sandbox.write_config(extra='docker = "helper"\ncredential_process = true')
    sandbox.login()
    rc, out, err = sandbox.run("credentials", "--profile", "test")
    assert rc == 0, err
    key = json.loads(out)["AccessKeyId"]
    assert key != FAKE_KEY_ID
    return key


@pytest.mark.parametrize("mode", [0o700, 0o777, 0o1777], ids=["private-0700", "0777", "sticky-1777"])
def test_the_helpers_ignore_a_socket_in_a_folder_others_can_write(sandbox, keyring, runtime_dir,
                                                                  tmp_path, mode):
    """A fake server (same uid) at $XDG_RUNTIME_DIR/dockpass/helper.sock. In a private 0700
    folder the helpers ask it (the control: the fake is a working server whose answers would
    show). In a 0777 or sticky 1777 folder, which anyone can write, they never connect:
    `get` answers from the keychain (the real token; not found for an unknown host) and
    `dockpass credentials` gives the real session, not the fake one."""
    real_key = signed_in_for_the_helpers(sandbox)
    folder = runtime_dir / "dockpass"
    folder.mkdir()
    folder.chmod(mode)
    assert (folder.stat().st_mode & 0o7777) == mode
    fake = FakeHelperSocket(folder / "helper.sock", tmp_path / "fake")
    try:
        rc, out = docker_helper(sandbox, stdin=sandbox.registry_host)
        assert rc == 0, out
        secret = json.loads(out)["Secret"]
        rc_unknown, out_unknown = docker_helper(sandbox, stdin="unknown.example.com")
        rc_c, out_c, err_c = sandbox.run("credentials", "--profile", "test")
        assert rc_c == 0, err_c
        key = json.loads(out_c)["AccessKeyId"]
        # our own request last: once it is logged, any earlier connection is too
        fake.ask(json.dumps({"op": "get", "server_url": "barrier.example"}))
        events = fake.events()
    finally:
        fake.stop()

    if mode == 0o700:
        assert secret == FAKE_SECRET and key == FAKE_KEY_ID
        assert len([e for e in events if e["event"] == "request"]) == 4, events
    else:
        assert len(connects(events)) == 1, \
            f"a helper connected to a socket in a mode {mode:o} folder: {events}"
        assert secret == f"{ACCOUNT}-auth-token"
        assert (rc_unknown, out_unknown) == (1, "credentials not found in native keychain\n")
        assert key == real_key


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a server as another user")
def test_the_helpers_ignore_a_socket_served_by_another_user(sandbox, keyring, runtime_dir, tmp_path):
    """The folder is the user's and private, but the server at helper.sock runs as uid 65534
    (it bound elsewhere and the socket was moved in): the helpers check the peer's uid after
    connecting and send it nothing; `get` and `dockpass credentials` answer from the
    keychain."""
    real_key = signed_in_for_the_helpers(sandbox)
    folder = runtime_dir / "dockpass"
    folder.mkdir(mode=0o700)
    fake = FakeHelperSocket(folder / "helper.sock", tmp_path / "fake", uid=65534)
    try:
        assert fake.uid == 65534
        # it is a working server at that path: a client that trusted it would get the fake
        assert fake.ask(json.dumps({"op": "get", "server_url": ECR_HOST}))["login"]["secret"] == FAKE_SECRET
        rc, out = docker_helper(sandbox, stdin=sandbox.registry_host)
        assert rc == 0, out
        assert json.loads(out)["Secret"] == f"{ACCOUNT}-auth-token"
        rc, out = docker_helper(sandbox, stdin="unknown.example.com")
        assert (rc, out) == (1, "credentials not found in native keychain\n")
        rc, out, err = sandbox.run("credentials", "--profile", "test")
        assert rc == 0, err
        assert json.loads(out)["AccessKeyId"] == real_key
        deadline = time.monotonic() + 3  # the fake logs from its own threads
        while len(connects(events := fake.events())) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        fake.stop()
    requests = [e["line"] for e in events if e["event"] == "request"]
    assert len(requests) == 1, f"a helper sent its request to another user's server: {requests}"
    # the helpers did reach it (3 clients + our own ask): the peer's uid turned them away
    assert len(connects(events)) >= 4, events
