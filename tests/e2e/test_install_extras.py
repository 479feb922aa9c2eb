"""What a package installs beside the binaries, and start at login (issue 7): shell completions
that really complete, manual pages that render, and `dockpass autostart` writing the XDG
autostart entry (off by default, valid by desktop-file-validate, removed when turned off)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from support import require_binary


def test_bash_completion_completes_commands_and_options(sandbox):
    rc, script, err = sandbox.run("completions", "bash")
    assert rc == 0 and err == ""
    path = sandbox.root / "dockpass.bash"
    path.write_text(script)
    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        prev = words[-2] if len(words) > 1 else ""
        # bash calls a completion function with the command, the word and the word before
        r = subprocess.run(["bash", "-c", f"source {path}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1};"
                            f" _dockpass dockpass '{words[-1]}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\""],
                           capture_output=True, text=True, timeout=10, env=sandbox.env)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()
    assert complete("dockpass", "do") == ["doctor"]
    assert "--offline" in complete("dockpass", "doctor", "--")
    assert set(complete("dockpass", "completions", "")) >= {"bash", "zsh", "fish"}


@pytest.mark.parametrize("shell,marker", [("zsh", "#compdef dockpass"), ("fish", "complete -c dockpass"),
                                          ("powershell", "Register-ArgumentCompleter"),
                                          ("elvish", "edit:completion")])
def test_other_shells_get_a_script(sandbox, shell, marker):
    rc, out, err = sandbox.run("completions", shell)
    assert rc == 0 and marker in out and "doctor" in out


def test_unknown_shell_is_a_usage_error(sandbox):
    rc, out, err = sandbox.run("completions", "tcsh")
    assert rc == 2 and len(err.splitlines()) == 1 and "tcsh" in err


def test_manual_pages_render(sandbox, tmp_path):
    rc, out, err = sandbox.run("man")
    assert rc == 0 and out.startswith(".ie") and ".TH dockpass 1" in out
    rc, out, err = sandbox.run("man", "--dir", str(tmp_path / "man1"))
    assert rc == 0, err
    pages = sorted(p.name for p in (tmp_path / "man1").iterdir())
    assert "dockpass.1" in pages and "dockpass-doctor.1" in pages and "dockpass-saml-inspect.1" in pages
    assert "dockpass-credential-helper.1" not in pages  # hidden commands stay hidden
    if not shutil.which("man"):
        pytest.skip("man is not installed")
    r = subprocess.run(["man", "-l", str(tmp_path / "man1" / "dockpass-login.1")], capture_output=True,
                       text=True, timeout=20, env={**sandbox.env, "MANPAGER": "cat", "MANWIDTH": "100"})
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())  # man justifies lines: spaces between words vary
    assert "dockpass login" in text and "--saml-response-file" in text


def test_autostart_is_off_until_turned_on_and_writes_a_valid_entry(sandbox):
    entry = sandbox.config_home / "autostart" / "dockpass.desktop"
    rc, out, _ = sandbox.run("autostart")
    assert rc == 0 and out.startswith("off") and not entry.exists()
    app = sandbox.add_script("dockpass-app", "#!/bin/sh\nexit 0\n")
    rc, out, err = sandbox.run("autostart", "on", "--app", str(app))
    assert rc == 0, err
    assert out.startswith("on") and str(entry) in out
    text = entry.read_text()
    assert f"\nExec={app} --tray\n" in text
    if shutil.which("desktop-file-validate"):
        r = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert r.returncode == 0 and not r.stdout.strip(), r.stdout
    rc, out, _ = sandbox.run("autostart", "off")
    assert rc == 0 and out.startswith("off") and not entry.exists()


def test_autostart_refuses_a_missing_app(sandbox):
    rc, out, err = sandbox.run("autostart", "on", "--app", str(sandbox.root / "nope"))
    assert rc == 2 and "does not exist" in err and len(err.splitlines()) == 1
    assert not (sandbox.config_home / "autostart").exists()


def test_default_app_is_the_one_beside_dockpass(sandbox):
    beside = require_binary().parent / "dockpass-app"
    if not beside.exists():
        pytest.skip("dockpass-app is not built")
    rc, out, err = sandbox.run("autostart", "on")
    assert rc == 0, err
    assert f"Exec={beside} --tray" in (sandbox.config_home / "autostart" / "dockpass.desktop").read_text()
