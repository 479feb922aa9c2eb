"""Run Dockpass's benchmarks (from the repo root, with the venv's python):

  python -m benches [NAME...] --bin-dir target/release [--out BENCHMARKS.md] [--quick] [--keep]
                    [--strict] [--list]

Each benchmark runs in its own bed (benches/bed.py) and returns a Section of figures. The
figures are printed as a table (figure, median, p90, target, ratio, result) and written to
BENCHMARKS.md (benches/report.py). Exit codes: 0 done, 1 a benchmark failed to run, 3 with
--strict when a figure misses its target.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path

from . import bench_app, bench_browser, bench_helper, bench_login, bench_scale
from .bed import Bed, BenchError
from .report import commit, console_table, machine, machine_line, now_utc, write_markdown

# Every benchmark, in the order they run and appear in BENCHMARKS.md. A module has NAME, TITLE
# and run(bed, quick=False) -> Section (see benches/README.md).
BENCHES = [bench_login, bench_browser, bench_scale, bench_helper, bench_app]

ROOT = Path(__file__).resolve().parents[1]


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwind: every bed stops what it started


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benches", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    ap.add_argument("--bin-dir", type=Path, default=ROOT / "target" / "release",
                    help="where dockpass and docker-credential-dockpass are (release build)")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md",
                    help="the markdown file to update (default: BENCHMARKS.md)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--quick", action="store_true",
                    help="few runs: a smoke check of the benchmarks, not figures for the record "
                         "(implies --no-write)")
    ap.add_argument("--keep", action="store_true", help="keep each bed's temp folder (logs)")
    ap.add_argument("--strict", action="store_true", help="exit 3 when a figure misses its target")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)

    by_name = {m.NAME: m for m in BENCHES}
    if args.list:
        for m in BENCHES:
            print(f"{m.NAME:12} {m.TITLE}")
        return 0
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(by_name)}")
    chosen = [by_name[n] for n in args.names] if args.names else list(BENCHES)

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    facts = machine()
    run_info = {"date": now_utc(), "commit": commit(ROOT), "machine": machine_line(facts),
                "rustc": facts["rustc"], "machine_facts": facts}
    print(f"bench: {run_info['date']}, commit {run_info['commit']}, {run_info['machine']}, "
          f"{run_info['rustc']}")

    sections, failed = [], []
    for mod in chosen:
        print(f"bench: {mod.NAME}: {mod.TITLE}", flush=True)
        load_before = _load()
        try:
            with Bed(args.bin_dir, keep=args.keep) as bed:
                section = mod.run(bed, quick=args.quick)
        except (BenchError, OSError, RuntimeError) as e:
            failed.append(mod.NAME)
            print(f"bench: {mod.NAME} FAILED: {e}", file=sys.stderr)
            if not isinstance(e, BenchError):
                traceback.print_exc()
            continue
        section.run = {k: v for k, v in run_info.items() if k != "machine_facts"}
        # Other work on the machine skews every figure: say how busy it was.
        section.run["load"] = f"{load_before} before, {_load()} after"
        print(f"bench: {mod.NAME}: load average (1 min) {section.run['load']}")
        sections.append(section)

    if sections:
        print()
        print(console_table(sections))
        print()
    if sections and not (args.no_write or args.quick):
        write_markdown(args.out, [m.NAME for m in BENCHES], sections, run_info)
        print(f"bench: wrote {args.out}")
    elif args.quick:
        print("bench: --quick: BENCHMARKS.md left as it was")
    if failed:
        print(f"bench: failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    misses = [f.name for s in sections for f in s.figures if f.verdict == "MISS"]
    if misses:
        print(f"bench: {len(misses)} figure(s) miss their target: {'; '.join(misses)}")
        if args.strict:
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
