"""Facts about the run (date, machine, commit), the console table, and BENCHMARKS.md.

BENCHMARKS.md is generated: a header with the latest run's facts, a summary table of every
figure, then one section per benchmark between markers

    <!-- bench:NAME {json} -->  ...  <!-- /bench:NAME -->

The JSON holds the section's figures and run facts, so a run of some benchmarks
(`scripts/bench helper`) rewrites their sections and keeps the others as they were, and the
summary still lists them all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .measure import Figure, fmt_ratio, fmt_targets, fmt_value

HEADER = "# Dockpass benchmarks"


def _cmd(*argv: str, cwd: Path | None = None) -> str:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return r.stdout.strip() if r.returncode == 0 else ""


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_kib = 0
    try:
        m = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        ram_kib = int(m.group(1)) if m else 0
    except OSError:
        pass
    os_name = ""
    try:
        m = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', Path("/etc/os-release").read_text(), re.M)
        os_name = m.group(1) if m else ""
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor() or "unknown",
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gib": round(ram_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": os_name,
        "rustc": _cmd("rustc", "--version") or "unknown",
    }


def commit(root: Path) -> str:
    head = _cmd("git", "rev-parse", "--short", "HEAD", cwd=root) or "unknown"
    dirty = _cmd("git", "status", "--porcelain", "--untracked-files=no", cwd=root)
    return head + ("+dirty" if dirty else "")


def machine_line(m: dict) -> str:
    return (f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Linux {m['kernel']}"
            + (f" ({m['os']})" if m.get("os") else ""))


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class Section:
    """One benchmark's results: figures for the tables, and markdown for its section."""

    name: str
    title: str
    figures: list[Figure]
    details: list[str] = field(default_factory=list)  # markdown paragraphs/lists after the table
    run: dict = field(default_factory=dict)  # date, commit, machine, rustc (filled by main)

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "run": self.run,
                "figures": [f.to_json() for f in self.figures]}


# -- console ---------------------------------------------------------------------------------

def console_table(sections: list[Section]) -> str:
    rows = [("figure", "median", "p90", "target", "ratio", "result")]
    for s in sections:
        for f in s.figures:
            p90 = fmt_value(f.stats["p90"], f.unit) if f.stats else "-"
            rows.append((f.name, fmt_value(f.value, f.unit), p90, fmt_targets(f), fmt_ratio(f),
                         f.verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[i]) if i in (0, 3, 4) else c.rjust(widths[i])
                               for i, c in enumerate(r)).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- BENCHMARKS.md ---------------------------------------------------------------------------

_SECTION = re.compile(r"<!-- bench:([a-z0-9_-]+) (\{.*?\}) -->\n(.*?)<!-- /bench:\1 -->\n?", re.S)


def _comment_json(data: dict) -> str:
    # "--" cannot appear outside a JSON string, and inside one "-\u002d" reads back the same:
    # the comment never holds "--" (so never "-->").
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("--", "-\\u002d")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def figures_table(figures: list[Figure]) -> list[str]:
    out = ["| figure | median | p90 | min | runs | target | ratio | result |",
           "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |"]
    for f in figures:
        st = f.stats or {}
        out.append("| " + " | ".join(_md_cell(c) for c in (
            f.name,
            fmt_value(f.value, f.unit),
            fmt_value(st.get("p90"), f.unit) if st else "-",
            fmt_value(st.get("min"), f.unit) if st else "-",
            str(st.get("runs", "-")),
            fmt_targets(f),
            fmt_ratio(f),
            f"**{f.verdict}**" if f.verdict != "info" else "info",
        )) + " |")
    return out


def render_section(s: Section) -> str:
    run = s.run
    lines = [
        f"<!-- bench:{s.name} {_comment_json(s.to_json())} -->",
        f"## {s.title}",
        "",
        f"Measured {run.get('date', '?')} on commit `{run.get('commit', '?')}`, "
        f"{run.get('machine', '?')}, {run.get('rustc', '?')}, release build"
        + (f"; load average (1 min) {run['load']}" if run.get("load") else "")
        + f". Reproduce: `./scripts/bench {s.name}`.",
        "",
        *figures_table(s.figures),
        "",
        *[d.rstrip("\n") + "\n" for d in s.details],
        f"<!-- /bench:{s.name} -->",
    ]
    return "\n".join(lines) + "\n"


def read_sections(text: str) -> dict[str, tuple[dict, str]]:
    """name -> (its JSON, its whole marked-up text) for each section in an existing file."""
    found = {}
    for m in _SECTION.finditer(text):
        try:
            data = json.loads(m.group(2))
        except json.JSONDecodeError:
            continue
        found[m.group(1)] = (data, m.group(0))
    return found


CHANGES = Path(__file__).resolve().parent / "changes.md"


def write_markdown(path: Path, order: list[str], new: list[Section], run: dict) -> None:
    old = read_sections(path.read_text(encoding="utf-8")) if path.exists() else {}
    fresh = {s.name: s for s in new}
    names = [n for n in order if n in fresh or n in old] + [n for n in old if n not in order]
    blocks, summary = [], []
    for n in names:
        if n in fresh:
            s = fresh[n]
            blocks.append(render_section(s))
            summary.append((s.title, s.name, s.figures, s.run.get("date", "")))
        else:
            data, text = old[n]
            blocks.append(text if text.endswith("\n") else text + "\n")
            summary.append((data.get("title", n), n,
                            [Figure.from_json(f) for f in data.get("figures", [])],
                            (data.get("run") or {}).get("date", "")))
    m = run["machine_facts"]
    head = [
        HEADER,
        "",
        "Generated by `./scripts/bench` (benches/): release binaries against the local stand-ins",
        "(moto for STS and ECR, saml-idp, gnome-keyring on a private bus), every figure of a section",
        "measured in one run on one machine. The next run rewrites this file; sections of",
        "benchmarks that did not run are kept as they were, with their own date and commit.",
        "",
        "## Latest run",
        "",
        f"- Date: {run['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM",
        f"- System: Linux {m['kernel']}" + (f", {m['os']}" if m.get("os") else ""),
        f"- Toolchain: {m['rustc']}; `cargo build --release --locked -p dockpass-app -p dockpass-cli "
        "-p dockpass-helper -p dockpass-core --bins --example bench_login`",
        f"- Commit: `{run['commit']}`",
        f"- Benchmarks run: {', '.join(s.name for s in new) or 'none'}",
        "- Reproduce: `./scripts/bench` (all), `./scripts/bench NAME...` (some), "
        "`./scripts/bench --list`",
        "",
        "## Summary",
        "",
        "| benchmark | figure | median | target | ratio | result |",
        "| --- | --- | ---: | --- | --- | --- |",
    ]
    for title, name, figures, _date in summary:
        for f in figures:
            head.append("| " + " | ".join(_md_cell(c) for c in (
                f"[{name}](#{_anchor(title)})", f.name, fmt_value(f.value, f.unit), fmt_targets(f),
                fmt_ratio(f), f"**{f.verdict}**" if f.verdict != "info" else "info")) + " |")
    head += ["", "Ratio: relative to the reference the ratio names (e.g. the aws CLI doing the same). "
             "Result: every target of the figure met (PASS) or not (MISS); info: no target.", ""]
    # The changes that mattered, before and after: written by hand (benches/changes.md).
    if CHANGES.exists():
        head += [CHANGES.read_text(encoding="utf-8").rstrip("\n"), ""]
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text("\n".join(head) + "\n" + "\n".join(blocks), encoding="utf-8")
    tmp.replace(path)


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes."""
    a = re.sub(r"[^\w\- ]", "", title.lower())
    return a.replace(" ", "-")
