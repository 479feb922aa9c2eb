"""Issue 8, target 5: one profile with 10, 50 and 200 registries (accounts x regions of the
federated role); every sign-in publishes them with one docker config write, and its time
grows no worse than linearly, with a small slope.

  login_N   the sign-in in-process (examples/bench_login.rs, SDK set-up included, keychain)
  cli_N     `dockpass login` process, end to end
  writes_N  docker config writes of one `dockpass login` (renames onto config.json, counted
            with strace -f); target: exactly 1
  slope     least-squares slope of login_N over N: the cost of one more registry

Run alone: `.venv/bin/python -m benches scale --bin-dir target/release`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time

from .bed import PROFILE, Bed, BenchError
from .bench_login import ROLE_ARN, check_docker_config, cli_check, inproc
from .measure import METHOD, Figure, Target, fmt_value, measure
from .report import Section

NAME = "scale"
TITLE = "Scale: 10, 50 and 200 registries in one profile"

SIZES = (10, 50, 200)
REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1",
           "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1")
# (runs, warm-up) per size: in-process, CLI
RUNS = {10: (30, 3, 20, 2), 50: (20, 2, 15, 2), 200: (12, 2, 10, 1)}
QUICK = {10: (3, 1, 2, 1), 50: (3, 1, 2, 1), 200: (2, 1, 2, 0)}

TARGET_SLOPE_S = 0.001  # one more registry: under 1 ms
TARGET_CURVE = 1.0      # t(n)/n never grows from 10 to 50 to 200 registries (no worse than linear)
SETTLE_S = 2.0


def registries(n: int) -> list[tuple[str, str, None]]:
    """n registries: accounts 3xxxxxxxxxxx, each in the 10 regions (n/10 accounts)."""
    out = []
    for i in range(n):
        account = f"3{i // len(REGIONS):011d}"
        out.append((account, REGIONS[i % len(REGIONS)], None))
    return out


def count_writes(bed: Bed, argv: list[str], saml: str) -> int:
    """Renames onto the docker config during one `dockpass login` (strace -f)."""
    strace = shutil.which("strace")
    if not strace:
        raise BenchError("strace is not installed (apt-get install strace)")
    log = bed.work / "strace.log"
    r = subprocess.run([strace, "-f", "-qq", "-e", "trace=rename,renameat,renameat2", "-o", str(log),
                        *argv], input=saml, capture_output=True, text=True, env=bed.env, timeout=120)
    if r.returncode != 0:
        raise BenchError(f"dockpass login under strace failed ({r.returncode}): {r.stderr[-500:]}")
    target = str(bed.docker_dir / "config.json")
    return sum(1 for line in log.read_text().splitlines()
               if re.search(r'rename\w*\(.*"' + re.escape(target) + r'"', line))


def slope(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def run(bed: Bed, quick: bool = False) -> Section:
    runs = QUICK if quick else RUNS
    bed.start_standins(keyring=True)
    time.sleep(SETTLE_S)
    work = bed.work
    cli_argv = [str(bed.dockpass), "login", "--profile", PROFILE, "--role", ROLE_ARN,
                "--saml-response-file", "-"]
    results = {}
    for n in SIZES:
        regs = registries(n)
        bed.write_config(docker="config", registries=[(a, r) for a, r, _ in regs])
        saml = bed.saml_response()
        saml_file = work / f"saml-{n}.b64"
        saml_file.write_text(saml)
        writes = count_writes(bed, cli_argv, saml)
        check_docker_config(bed.docker_dir / "config.json", regs)
        ip_runs, ip_warm, cli_runs, cli_warm = runs[n]
        login = inproc(bed, saml_file, ip_runs, ip_warm, "login")["login"]
        cli = measure(f"dockpass login ({n})", cli_argv, bed.env, work, runs=cli_runs,
                      warmup=cli_warm, stdin=saml.encode(), check=cli_check(n))
        check_docker_config(bed.docker_dir / "config.json", regs)
        size = (bed.docker_dir / "config.json").stat().st_size
        results[n] = {"writes": writes, "login": login, "cli": cli, "size": size}

    ns = list(SIZES)
    in_slope = slope(ns, [results[n]["login"].median for n in ns])
    cli_slope = slope(ns, [results[n]["cli"].median for n in ns])
    seg = [(results[b]["login"].median - results[a]["login"].median) / (b - a)
           for a, b in zip(ns, ns[1:])]
    # No worse than linear: the time per registry, t(n)/n, must not grow from one size to the
    # next (it falls when a fixed part is shared; a superlinear cost makes it grow). The slope of
    # each segment alone says little here: registries of one region share a call (up to 10),
    # so 10 and 50 registries in 10 regions are both 10 calls and 200 are 20.
    per = [results[n]["login"].median / n for n in ns]
    curve = max(b / a for a, b in zip(per, per[1:]))

    figures = []
    for n in ns:
        r = results[n]
        st = r["login"].stats()
        st.pop("cpu_median", None)
        st.pop("steal", None)
        figures.append(Figure(f"login_{n}", f"Sign-in in-process, {n} registries", r["login"].median,
                              "s", st, role="curve"))
    for n in ns:
        r = results[n]
        figures.append(Figure(f"cli_{n}", f"`dockpass login` process, {n} registries",
                              r["cli"].median, "s", r["cli"].stats(), role="curve"))
    for n in ns:
        figures.append(Figure(f"writes_{n}", f"Docker config writes in one sign-in, {n} registries",
                              results[n]["writes"], "writes",
                              targets=[Target("value", "==", 1, "exactly 1")]))
    figures += [
        Figure("slope", "Cost of one more registry (in-process, least squares over 10/50/200)",
               in_slope, "s", targets=[Target("value", "<", TARGET_SLOPE_S, "< 1 ms per registry")]),
        Figure("curve", "Time per registry t(n)/n: its largest growth from one size to the next "
               "(10 -> 50 -> 200)", curve, "x",
               targets=[Target("value", "<=", TARGET_CURVE, "<= 1 (no worse than linear)")]),
        Figure("cli_slope", "Cost of one more registry (`dockpass login` process)", cli_slope, "s",
               role="informative"),
    ]
    rows = ["| registries | in-process median | p90 | `dockpass login` median | p90 | config writes | docker config size |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in ns:
        r = results[n]
        rows.append(f"| {n} | {fmt_value(r['login'].median, 's')} | {fmt_value(r['login'].p90, 's')} | "
                    f"{fmt_value(r['cli'].median, 's')} | {fmt_value(r['cli'].p90, 's')} | "
                    f"{r['writes']} | {r['size'] / 1024:.1f} KiB |")
    details = [
        "\n".join(rows),
        "\n".join([
            "How:",
            f"- Profile: N registries of the federated role's credentials, accounts "
            f"3xxxxxxxxxxx each in {len(REGIONS)} regions ({', '.join(REGIONS)}), N/10 "
            "accounts; `docker = \"config\"`. Every run is checked (each host holds its "
            "account's token).",
            f"- Slopes: per registry, {fmt_value(seg[0], 's')} from 10 to 50 and "
            f"{fmt_value(seg[1], 's')} from 50 to 200 (in-process medians); time per registry "
            + " -> ".join(fmt_value(p, 's') for p in per) + ". The registries of one region "
            "share a GetAuthorizationToken (up to 10 a call): 10 calls for 10 and for 50 "
            "registries, 20 for 200.",
            "- Writes: one extra `dockpass login` per size under `strace -f -e "
            "trace=rename,renameat,renameat2`; a docker config write is a rename onto "
            "config.json (temp file, fsync, rename).",
            f"- In-process: examples/bench_login.rs (`Aws` built in each run, keychain). "
            f"Processes: {METHOD}.",
        ]),
    ]
    return Section(NAME, TITLE, figures, details)


if __name__ == "__main__":
    import sys

    from .__main__ import main

    sys.exit(main([NAME, *sys.argv[1:]]))
