"""Debian helpers of the package tests: dpkg into a clean root, library owners, apt's view."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def run(argv, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def depends_names(depends: str) -> list[str]:
    """Package names of a Depends field (every alternative of `a | b`, versions dropped)."""
    names = []
    for clause in depends.split(","):
        for alt in clause.split("|"):
            name = re.sub(r"\(.*?\)|\[.*?\]|:any", "", alt).strip()
            if name:
                names.append(name)
    return names


def dpkg_root_install(root: Path, deb: Path, depends: list[str]) -> None:
    """`dpkg --root ROOT -i DEB` into an empty root whose dpkg database holds only the status
    entries of DEPENDS as installed on this system: dpkg checks the declared Depends (names and
    versions) against them, and nothing is forced."""
    admin = root / "var/lib/dpkg"
    for d in ("info", "updates", "triggers", "alternatives"):
        (admin / d).mkdir(parents=True, exist_ok=True)
    (admin / "available").touch()
    entries = []
    for name in depends:
        r = run(["dpkg-query", "-s", name])
        if r.returncode == 0:
            entries.append(r.stdout.strip())
    (admin / "status").write_text("\n\n".join(entries) + "\n")
    r = run(["dpkg", "--root", root, "--install", deb], timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"dpkg --root {root} --install {deb} failed ({r.returncode}):\n"
                             f"{r.stdout}\n{r.stderr}")


def needed(elf: Path) -> list[str]:
    """The DT_NEEDED entries of an ELF file."""
    out = run(["readelf", "-d", elf]).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def is_elf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def ldd(elf: Path) -> dict[str, str | None]:
    """Library name -> the path the dynamic linker resolves it to (None: not found)."""
    out = run(["ldd", elf]).stdout
    libs: dict[str, str | None] = {}
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"(\S+) => not found", line)
        if m:
            libs[m.group(1)] = None
            continue
        m = re.match(r"(\S+) => (\S+) \(0x", line)
        if m:
            libs[m.group(1)] = m.group(2)
            continue
        m = re.match(r"(/\S+) \(0x", line)  # the dynamic linker itself
        if m:
            libs[Path(m.group(1)).name] = m.group(1)
    return libs


def owners(paths: list[str]) -> dict[str, str | None]:
    """PATH -> the Debian package that owns it (merged-/usr aware, without :arch), None when no
    package does. One dpkg-query for all of them."""
    candidates: dict[str, list[str]] = {}
    for path in paths:
        p = Path(path)
        names = [str(p), str(p.resolve())]
        for c in list(names):
            names.append(c[4:] if c.startswith("/usr/") else "/usr" + c)
        candidates[path] = list(dict.fromkeys(names))
    wanted = sorted({c for names in candidates.values() for c in names})
    found: dict[str, str] = {}
    if wanted:
        out = run(["dpkg-query", "-S", *wanted], timeout=300).stdout
        for line in out.splitlines():
            pkgs, sep, file = line.partition(": ")
            if sep and "diversion" not in pkgs:
                found[file.strip()] = pkgs.split(",")[0].split(":")[0].strip()
    return {path: next((found[c] for c in names if c in found), None)
            for path, names in candidates.items()}


def apt_simulate_clean(deb: Path, tmp: Path) -> tuple[int, str, list[str]]:
    """`apt-get install --simulate DEB` as on a system with nothing installed (an empty dpkg
    status), without recommends: the packages apt would install from Debian's archive."""
    status = tmp / "empty-status"
    status.write_text("")
    r = run(["apt-get", "-o", f"Dir::State::status={status}", "-o", "Debug::NoLocking=1",
             "-o", "APT::Install-Recommends=false", "-q", "install", "--simulate", deb],
            timeout=300)
    names = re.findall(r"^Inst (\S+)", r.stdout, re.M)
    return r.returncode, r.stdout + r.stderr, [n.split(":")[0] for n in names]
