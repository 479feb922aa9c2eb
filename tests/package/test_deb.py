"""The Debian package (issue 7): built by the Tauri bundler (scripts/package), installed by dpkg
into a clean root, and run from there: the CLI, the docker credential helper and the tray app
(under Xvfb), with its desktop entry, icons, man pages and completions. Every shared library the
binaries need resolves and belongs to a package the .deb declares in Depends; apt resolves those
from Debian's archive on a system where nothing is installed; `cargo install` builds the CLI
and the helper from their paths."""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
import subprocess
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from debtools import (apt_simulate_clean, depends_names, dpkg_root_install, is_elf, ldd,
                      needed, owners, run)
from tests.standins.procs import REPO_ROOT, Service, wait_until

BINARIES = ("dockpass-app", "dockpass", "docker-credential-dockpass", "dockpass-browser-host")
EXTENSION_ORIGIN = "chrome-extension://kphpmbblficclfcbieliakfbefcpjoaa/"
# Where Chromium, Chrome, Edge and Firefox look for system-wide native messaging hosts.
HOST_MANIFESTS = (
    "/etc/chromium/native-messaging-hosts/dev.dockpass.browser.json",
    "/etc/opt/chrome/native-messaging-hosts/dev.dockpass.browser.json",
    "/etc/opt/edge/native-messaging-hosts/dev.dockpass.browser.json",
    "/usr/lib/mozilla/native-messaging-hosts/dev.dockpass.browser.json",
)
NOT_FOUND = "credentials not found in native keychain"  # the credential helper protocol's words
HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
BUS_CONFIG = REPO_ROOT / "scripts" / "lib" / "session-bus.conf"


def workspace_version() -> str:
    with open(REPO_ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["workspace"]["package"]["version"]


def tauri_conf() -> dict:
    return json.loads((REPO_ROOT / "src-tauri" / "tauri.conf.json").read_text())


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """A user with nothing set up: a fresh HOME and XDG folders, no bus, no display, and a PATH
    without the package's bin folder (the helper must find `dockpass` beside itself)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "LANG": "C.UTF-8",
    }
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    env.update(extra)
    return env


def write_config(home: Path) -> None:
    cfg = home / ".config/dockpass/config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('[[profile]]\nname = "corp"\nidp_url = "https://idp.example.invalid/aws"\n'
                   'region = "us-east-1"\n')


# --- the archive --------------------------------------------------------------------------

def test_control_fields(control):
    conf = tauri_conf()
    assert control["Package"] == "dockpass"
    assert control["Version"] == workspace_version() == conf["version"]
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    assert control["Architecture"] == arch
    assert "<" in control["Maintainer"] and "@" in control["Maintainer"], control["Maintainer"]
    assert control["Section"] == "devel"
    assert control["Description"].split("\n")[0] == conf["bundle"]["shortDescription"]
    assert all(len(line) < 80 for line in control["Description"].split("\n")), \
        "Debian wants description lines under 80 columns"
    depends = set(depends_names(control["Depends"]))
    # Tauri's own (WebKitGTK, GTK, the tray's appindicator, which is dlopen()ed, so no ELF
    # names it) and ours (the keychain over libdbus in the CLI and the app)
    assert {"libwebkit2gtk-4.1-0", "libgtk-3-0", "libayatana-appindicator3-1",
            "libdbus-1-3", "libc6"} <= depends, control["Depends"]
    recommends = control.get("Recommends", "")
    assert "gnome-keyring" in recommends and "notification-daemon" in recommends


def test_files_in_the_archive(deb):
    listing = run(["dpkg-deb", "--contents", deb]).stdout.splitlines()
    entries = {}
    for line in listing:
        parts = line.split(None, 5)
        entries["/" + parts[5].removeprefix("./").rstrip("/")] = (parts[0], parts[1])
    for b in BINARIES:
        mode, owner_ = entries[f"/usr/bin/{b}"]
        assert mode == "-rwxr-xr-x" and owner_ == "0/0", (b, mode, owner_)
    for path in [
        "/usr/share/applications/Dockpass.desktop",
        "/usr/share/icons/hicolor/32x32/apps/dockpass-app.png",
        "/usr/share/icons/hicolor/128x128/apps/dockpass-app.png",
        "/usr/share/icons/hicolor/256x256/apps/dockpass-app.png",
        "/usr/share/icons/hicolor/512x512/apps/dockpass-app.png",
        "/usr/share/man/man1/dockpass.1.gz",
        "/usr/share/bash-completion/completions/dockpass",
        "/usr/share/zsh/vendor-completions/_dockpass",
        "/usr/share/fish/vendor_completions.d/dockpass.fish",
        "/usr/share/doc/dockpass/copyright",
        "/usr/share/dockpass/extension/manifest.json",
        "/usr/share/dockpass/extension/background.js",
        "/usr/share/dockpass/extension/generated/contract.js",
        "/usr/share/dockpass/dockpass-extension.zip",
        *HOST_MANIFESTS,
    ]:
        assert path in entries, f"{path} is not in the package"
    assert not [p for p in entries if p.startswith("/usr/share/dockpass/extension/test")], \
        "the extension's tests are not shipped"
    for path, (mode, owner_) in entries.items():
        in_etc = path in HOST_MANIFESTS or any(m.startswith(path + "/") for m in HOST_MANIFESTS)
        assert path == "/usr" or path.startswith("/usr/") or in_etc, f"{path} outside /usr"
        assert owner_ == "0/0", f"{path} belongs to {owner_}"
        assert "unknown-linux" not in path, f"{path}: a sidecar kept its target triple"


# --- installed into a clean root ------------------------------------------------------------

def test_dpkg_installed_it(root):
    r = run(["dpkg", "--root", root, "--status", "dockpass"])
    assert "Status: install ok installed" in r.stdout, r.stdout + r.stderr
    r = run(["dpkg", "--root", root, "--verify", "dockpass"])  # md5sums of every file
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    listed = run(["dpkg", "--root", root, "--listfiles", "dockpass"]).stdout.split()
    for b in BINARIES:
        assert f"/usr/bin/{b}" in listed
        assert os.access(root / "usr/bin" / b, os.X_OK)


def test_dpkg_removes_it_without_a_trace(deb, control, tmp_path):
    dpkg_root_install(tmp_path, deb, depends_names(control["Depends"]))
    r = run(["dpkg", "--root", tmp_path, "--purge", "dockpass"])
    assert r.returncode == 0, r.stdout + r.stderr
    left = [p for p in (tmp_path / "usr").rglob("*") if not p.is_dir()] \
        if (tmp_path / "usr").exists() else []
    assert left == []
    assert not [m for m in HOST_MANIFESTS if (tmp_path / m.lstrip("/")).exists()]


def test_cli_runs_from_the_root(root, tmp_path):
    env = clean_env(tmp_path)
    dockpass = root / "usr/bin/dockpass"
    r = run([dockpass, "--version"], env=env)
    assert r.returncode == 0 and r.stdout.strip() == f"dockpass {workspace_version()}", r
    write_config(tmp_path)
    r = run([dockpass, "status"], env=env)
    assert r.returncode == 0 and "logged out" in r.stdout, r.stdout + r.stderr


def test_browser_host_and_extension_from_the_root(root, tmp_path):
    """The host manifests name the installed host, which answers the extension's ping; the
    CLI finds the installed extension."""
    env = clean_env(tmp_path)
    for path in HOST_MANIFESTS:
        m = json.loads((root / path.lstrip("/")).read_text())
        assert m["name"] == "dev.dockpass.browser" and m["path"] == "/usr/bin/dockpass-browser-host", m
        assert m.get("allowed_origins") == [EXTENSION_ORIGIN] or \
            m.get("allowed_extensions") == ["browser@dockpass.dev"], m
    body = json.dumps({"type": "ping", "version": "t"}).encode()
    r = subprocess.run([root / "usr/bin/dockpass-browser-host", EXTENSION_ORIGIN],
                       input=struct.pack("=I", len(body)) + body, env=env, capture_output=True, timeout=30)
    (n,) = struct.unpack("=I", r.stdout[:4])
    assert r.returncode == 0 and json.loads(r.stdout[4:4 + n])["kind"] == "pong", r
    r = run([root / "usr/bin/dockpass", "browser", "extension-path"], env=env)
    assert r.returncode == 0 and r.stdout.strip() == str(root / "usr/share/dockpass/extension"), r
    with zipfile.ZipFile(root / "usr/share/dockpass/dockpass-extension.zip") as z:
        names = z.namelist()
    assert "manifest.json" in names and "generated/contract.js" in names, names


def test_credential_helper_runs_from_the_root(root, tmp_path):
    env = clean_env(tmp_path)
    helper = root / "usr/bin/docker-credential-dockpass"
    r = run([helper, "version"], env=env)
    assert r.returncode == 0 and r.stdout.strip() == \
        f"docker-credential-dockpass {workspace_version()}", r
    # Nobody listens on the socket: it hands over to the `dockpass` beside it (not on PATH),
    # which without any config answers docker's not-found sentinel (the helper alone would say
    # it cannot run dockpass).
    r = run([helper, "get"], input=HOST + "\n", env=env)
    assert (r.returncode, r.stdout.strip()) == (1, NOT_FOUND), r
    write_config(tmp_path)
    r = run([helper, "get"], input=HOST + "\n", env=env)
    assert (r.returncode, r.stdout.strip()) == (1, NOT_FOUND), r
    r = run([helper, "list"], input="", env=env)
    assert (r.returncode, r.stdout.strip()) == (0, "{}"), r


def test_app_loads_its_libraries(root, tmp_path):
    # --help exits before any window: the dynamic linker has resolved every library by then
    r = run([root / "usr/bin/dockpass-app", "--help"], env=clean_env(tmp_path))
    assert r.returncode == 2 and "usage: dockpass-app" in r.stderr, r


def test_app_starts_from_the_root_and_answers_the_helper(root, tmp_path):
    """The packaged app under Xvfb on a private bus, with no config: it comes up, puts its
    icon in the tray (libayatana-appindicator, loaded at run time) and answers the packaged
    credential helper on its socket."""
    for tool in ("xvfb-run", "Xvfb", "xauth", "dbus-run-session"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is not installed: run scripts/setup", pytrace=False)
    home = tmp_path / "home"
    env = clean_env(home)
    app = Service("dockpass-app", [
        "xvfb-run", "--auto-servernum", "--server-args=-screen 0 1280x800x24 -nolisten tcp",
        "dbus-run-session", f"--config-file={BUS_CONFIG}", "--",
        str(root / "usr/bin/dockpass-app"), "--tray"], tmp_path / "app.log", env=env)
    try:
        sock = home / "run/dockpass/helper.sock"
        tray = home / "run/tray-icon"
        wait_until(app, lambda: sock.exists() and stat.S_ISSOCK(sock.stat().st_mode),
                   "listening on its helper socket", timeout=90)
        wait_until(app, lambda: tray.is_dir() and any(tray.glob("*.png")),
                   "showing its tray icon", timeout=30)
        # No config, so only the app can answer "not found" (the keychain path would fail).
        r = run([root / "usr/bin/docker-credential-dockpass", "get"], input=HOST + "\n",
                env=env)
        assert (r.returncode, r.stdout.strip()) == (1, NOT_FOUND), r
        time.sleep(1)
        assert app.alive(), app.fail("died")
        assert "panicked" not in app.log_tail(), app.log_tail()
    finally:
        app.stop()


def test_desktop_entry(root):
    if not shutil.which("desktop-file-validate"):
        pytest.fail("desktop-file-validate is not installed: run scripts/setup", pytrace=False)
    desktop = root / "usr/share/applications/Dockpass.desktop"
    r = run(["desktop-file-validate", desktop])
    assert r.returncode == 0 and "error" not in r.stdout + r.stderr, r.stdout + r.stderr
    entry = dict(line.split("=", 1) for line in desktop.read_text().split("\n\n")[0].splitlines()
                 if "=" in line)
    assert entry["Exec"] == "dockpass-app" and (root / "usr/bin/dockpass-app").is_file()
    assert entry["Icon"] == "dockpass-app"
    assert "Development" in entry["Categories"].split(";")
    assert "Exec=dockpass-app --login" in desktop.read_text()


def test_man_pages_render(root):
    pages = sorted((root / "usr/share/man/man1").glob("*.1.gz"))
    assert root / "usr/share/man/man1/dockpass.1.gz" in pages
    env = {"PATH": "/usr/bin:/bin", "MANWIDTH": "80", "LANG": "C.UTF-8", "MANPAGER": "cat"}
    for page in pages:
        r = run(["man", "--warnings", "-l", page], env=env)
        assert r.returncode == 0 and r.stderr == "", (page.name, r.stderr)
        assert "NAME" in r.stdout and "dockpass" in r.stdout, page.name
    top = run(["man", "-l", root / "usr/share/man/man1/dockpass.1.gz"], env=env).stdout
    assert "status" in top and "login" in top


def test_completions(root, tmp_path):
    bash = root / "usr/share/bash-completion/completions/dockpass"
    r = run(["bash", "-c", f"source {bash} && complete -p dockpass"],
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert r.returncode == 0 and "dockpass" in r.stdout, r.stdout + r.stderr
    zsh = (root / "usr/share/zsh/vendor-completions/_dockpass").read_text()
    assert zsh.startswith("#compdef dockpass")
    fish = (root / "usr/share/fish/vendor_completions.d/dockpass.fish").read_text()
    assert "complete -c dockpass" in fish
    for shell, path in (("zsh", "usr/share/zsh/vendor-completions/_dockpass"),
                        ("fish", "usr/share/fish/vendor_completions.d/dockpass.fish")):
        if shutil.which(shell):  # a syntax check where the shell is there
            r = run([shell, "-n", root / path])
            assert r.returncode == 0, r.stderr


# --- dependencies ---------------------------------------------------------------------------

def test_every_library_resolves_and_is_declared(root, control, deb, tmp_path):
    """Like dpkg-shlibdeps: each DT_NEEDED library of each ELF file in the package belongs to a
    package named in Depends; everything the dynamic linker loads besides (the libraries'
    own libraries) belongs to a package apt installs with it on a clean system."""
    depends = set(depends_names(control["Depends"]))
    rc, log, closure = apt_simulate_clean(deb, tmp_path)
    assert rc == 0, log[-4000:]
    closure = set(closure)
    assert depends - {"libc6"} <= closure | {"libc6"}
    elves = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
    assert {p.name for p in elves} >= set(BINARIES)
    problems = []
    loaded = {elf: ldd(elf) for elf in elves}
    owner = owners(sorted({p for libs in loaded.values() for p in libs.values() if p}))
    for elf, resolved in loaded.items():
        direct = needed(elf)
        for lib, path in resolved.items():
            if path is None:
                problems.append(f"{elf.name}: {lib} not found")
                continue
            pkg = owner[path]
            if pkg is None:
                problems.append(f"{elf.name}: {lib} ({path}) belongs to no package")
            elif lib in direct and pkg not in depends:
                problems.append(f"{elf.name}: needs {lib} from {pkg}, not in Depends")
            elif pkg not in closure:
                problems.append(f"{elf.name}: loads {lib} from {pkg}, which apt would not install")
    assert problems == [], "\n".join(problems)
    # dlopen()ed at run time by the tray: no ELF names it, Depends must
    files = run(["dpkg-query", "-L", "libayatana-appindicator3-1"]).stdout
    assert "libayatana-appindicator3.so.1" in files
    assert "libayatana-appindicator3-1" in depends


def test_apt_installs_it_here(deb):
    r = run(["apt-get", "-o", "Debug::NoLocking=1", "-q", "install", "--simulate", deb],
            timeout=300)
    assert r.returncode == 0 and "Inst dockpass" in r.stdout, r.stdout + r.stderr


# --- cargo install --------------------------------------------------------------------------

@pytest.mark.parametrize("crate,binary", [("dockpass-cli", "dockpass"),
                                          ("dockpass-helper", "docker-credential-dockpass")])
def test_cargo_install_from_the_path(crate, binary, tmp_path):
    """`cargo install --path crates/CRATE` (debug here, in the workspace's target folder so it
    reuses what is built; users leave out --debug and the target folder)."""
    meta = json.loads(run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=REPO_ROOT).stdout)
    env = dict(os.environ, CARGO_TARGET_DIR=meta["target_directory"])
    r = run(["cargo", "install", "--debug", "--locked", "--offline", "--quiet",
             "--path", REPO_ROOT / "crates" / crate, "--root", tmp_path], env=env, timeout=1200)
    assert r.returncode == 0, r.stderr[-4000:]
    installed = tmp_path / "bin" / binary
    arg = "--version" if binary == "dockpass" else "version"
    r = run([installed, arg])
    assert r.returncode == 0 and workspace_version() in r.stdout, r
