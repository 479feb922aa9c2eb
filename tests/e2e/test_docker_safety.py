"""The docker config under concurrent writers and hostile files (issue 6, item 1), with the real
binary: many Dockpass processes at once lose no entry (they take turns under a lock and each
re-reads and merges); a foreign writer that edits the file the way docker does (read, modify,
rename, no lock) between Dockpass writes keeps everything it wrote; files Dockpass must not
touch get one clear line and stay byte-identical."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from support import ACCOUNT, ECR_HOST, REGION, assert_one_line_error, require_binary

WRITERS = 8


def profiles_toml(sandbox, n: int) -> str:
    out = []
    for i in range(n):
        out.append(f"""
[[profile]]
name = "w{i}"
idp_url = "{sandbox.idp.url}"
region = "{REGION}"
role = "{ACCOUNT}/Developer"

[[profile.registry]]
account = "{ACCOUNT}"
region = "{REGION}"
aliases = ["writer-{i}.example:5000"]
""")
    return "".join(out)


def test_many_dockpass_writers_at_once_lose_no_entry(sandbox):
    binary = require_binary()
    sandbox.write_config(profiles_toml(sandbox, WRITERS))
    theirs = {"auths": {"ghcr.io": {"auth": "dXNlcjpwYXNz"}}, "psFormat": "table {{.ID}}"}
    sandbox.write_docker_config(theirs)
    page = sandbox.saml_page()
    for round_ in range(3):
        procs = [subprocess.Popen([str(binary), "login", "--profile", f"w{i}", "--saml-response-file", "-"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=sandbox.env, cwd=sandbox.root) for i in range(WRITERS)]
        for p in procs:
            p.stdin.write(page.encode())
            p.stdin.close()
        for i, p in enumerate(procs):
            assert p.wait(timeout=60) == 0, f"round {round_}, writer w{i}: {p.stderr.read().decode()}"
        cfg = sandbox.docker_config()
        want = {ECR_HOST, "ghcr.io"} | {f"writer-{i}.example:5000" for i in range(WRITERS)}
        assert set(cfg["auths"]) == want, f"round {round_}: {sorted(cfg['auths'])}"
        assert cfg["auths"]["ghcr.io"] == theirs["auths"]["ghcr.io"]
        assert cfg["psFormat"] == theirs["psFormat"]
    # every writer's session is in the state file too (no lost update there either)
    for i in range(WRITERS):
        rc, out, err = sandbox.run("status", "--profile", f"w{i}", "--json")
        assert rc == 0 and json.loads(out)["state"] == "active", (i, err)
    # and each logout takes back exactly its own entries
    for i in range(WRITERS):
        rc, _, err = sandbox.run("logout", "--profile", f"w{i}")
        assert rc == 0, err
    cfg = sandbox.docker_config()
    assert cfg == theirs, cfg


def docker_like_edit(path, key: str, value) -> None:
    """What docker does: read, change, write a temp file beside it, rename; no lock."""
    doc = json.loads(path.read_text())
    doc[key] = value
    doc.setdefault("auths", {})[f"{key}.example"] = {"auth": "Zm9yZWlnbjp4"}
    tmp = path.with_name(path.name + str(os.getpid()))
    tmp.write_text(json.dumps(doc, indent="\t"))
    os.replace(tmp, path)


def test_a_foreign_writer_between_dockpass_writes_keeps_what_it_wrote(sandbox):
    sandbox.login()
    path = sandbox.docker_config_path
    for n in range(5):
        docker_like_edit(path, f"foreign-{n}", {"n": n, "ünïcödé": "✓"})
        sandbox.login()  # rewrites our entries on top of the foreign change
        cfg = sandbox.docker_config()
        for k in range(n + 1):
            assert cfg[f"foreign-{k}"] == {"n": k, "ünïcödé": "✓"}
            assert cfg["auths"][f"foreign-{k}.example"] == {"auth": "Zm9yZWlnbjp4"}
        assert ECR_HOST in cfg["auths"] and sandbox.registry_host in cfg["auths"]
    rc, _, err = sandbox.run("logout", "--profile", "test")
    assert rc == 0, err
    cfg = sandbox.docker_config()
    assert ECR_HOST not in cfg["auths"] and sandbox.registry_host not in cfg["auths"]
    assert all(f"foreign-{k}" in cfg for k in range(5))


def _login_refused(sandbox, *words):
    before = sandbox.docker_config_bytes()
    page = sandbox.saml_page()
    t0 = time.monotonic()
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", f"{ACCOUNT}/Developer", input=page)
    assert time.monotonic() - t0 < 10, "refusing a hostile file must be quick"
    assert rc != 0, "the login went ahead"
    line = assert_one_line_error(rc, out, err, rc, *words)
    assert sandbox.docker_config_bytes() == before, "the file changed"
    return line


def test_huge_config_is_refused(sandbox):
    sandbox.write_docker_config(raw='{"auths": {}, "pad": "' + "x" * (17 * 1024 * 1024) + '"}')
    _login_refused(sandbox, "config.json")


def test_deeply_nested_config_is_refused(sandbox):
    sandbox.write_docker_config(raw='{"auths": {}, "deep": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _login_refused(sandbox, "config.json")


def test_read_only_config_is_left_alone(sandbox):
    p = sandbox.write_docker_config({"auths": {"ghcr.io": {"auth": "eDp5"}}})
    p.chmod(0o444)
    _login_refused(sandbox, "read-only", "chmod")
    assert (p.stat().st_mode & 0o777) == 0o444


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a file owned by another user")
def test_config_owned_by_someone_else_is_left_alone(sandbox):
    p = sandbox.write_docker_config({"auths": {"ghcr.io": {"auth": "eDp5"}}})
    os.chown(p, 65534, 65534)
    _login_refused(sandbox, "belongs to user id 65534")
    assert p.stat().st_uid == 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a file owned by another user")
def test_symlink_to_someone_elses_file_is_left_alone(sandbox, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "theirs.json"
    target.write_text('{"auths": {}}')
    os.chown(target, 65534, 65534)
    sandbox.docker_config_path.symlink_to(target)
    before = target.read_bytes()
    _login_refused(sandbox, "belongs to user id 65534")
    assert target.read_bytes() == before and sandbox.docker_config_path.is_symlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a folder owned by another user")
def test_dangling_symlink_into_someone_elses_folder_is_left_alone(sandbox, tmp_path):
    """A link to a missing file is followed (docker does too) only into a folder of the user's:
    otherwise Dockpass would create a credentials file wherever another user's link points."""
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)
    sandbox.docker_config_path.symlink_to(theirs / "config.json")
    _login_refused(sandbox, "belongs to user id 65534")
    assert not (theirs / "config.json").exists() and sandbox.docker_config_path.is_symlink()


def test_dangling_symlink_into_ones_own_folder_is_followed(sandbox, tmp_path):
    """The counterpart: a link to a file not made yet, in a folder of the user's (dotfiles),
    is followed; the file is created there and the link stays a link."""
    mine = tmp_path / "dotfiles"
    mine.mkdir()
    sandbox.docker_config_path.symlink_to(mine / "config.json")
    sandbox.login()
    assert sandbox.docker_config_path.is_symlink()
    assert ECR_HOST in json.loads((mine / "config.json").read_text())["auths"]


def test_config_that_is_a_folder_is_left_alone(sandbox):
    sandbox.docker_config_path.mkdir()
    page = sandbox.saml_page()
    rc, out, err = sandbox.run("login", "--profile", "test", "--saml-response-file", "-",
                               "--role", f"{ACCOUNT}/Developer", input=page)
    assert rc != 0
    assert_one_line_error(rc, out, err, rc, "folder")
    assert sandbox.docker_config_path.is_dir() and not any(sandbox.docker_config_path.iterdir())
