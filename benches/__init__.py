"""Dockpass's benchmarks: release binaries against the local stand-ins, measured on one machine
in one run. Not timed tests: `./scripts/bench` builds, runs them all (`python -m benches`),
prints each figure with its target and ratio, and writes BENCHMARKS.md. See benches/README.md.

  bed.py           the sandbox: temp HOME/XDG/docker/config dirs, stand-ins, sign-in, daemon
  measure.py       timing a command (posix_spawn + wait4, no shell), statistics, figures
  report.py        machine and commit facts, the console table, BENCHMARKS.md sections
  bench_helper.py  issue 5: `docker-credential-dockpass get` on a hit vs `aws ecr get-login-password`
"""
