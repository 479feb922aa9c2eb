"""Issue 5: `docker-credential-dockpass get` on a hit, against `aws ecr get-login-password` on the
same moto. Target: under 5 ms median, and at least 100 times faster than the aws CLI.

Set-up: moto + saml-idp + gnome-keyring (private bus) in a temp bed; one profile with
`docker = "helper"` and a registry for 111111111111 in us-east-1; sign-in through the CLI
(`dockpass login` with the IdP's page); `dockpass daemon --profile bench`, ready when its helper
socket answers. Figures, each the same timer (benches/measure.py):

  spawn      /bin/true: the timer's floor (process creation and reaping on this machine)
  socket     `docker-credential-dockpass get` answered by the daemon over the helper socket
  aws        `aws ecr get-login-password` (.venv's PyPI awscli) with the session's STS
             credentials (from `dockpass credentials`) in AWS_* variables, same moto
  keychain   `docker-credential-dockpass get` with the daemon stopped: the helper reads the
             config, state and keychain itself (informative)

Run alone: `.venv/bin/python -m benches helper --bin-dir target/release`.
"""

from __future__ import annotations

import json
import time

from .bed import ACCOUNT, ECR_HOST, ECR_PASSWORD, REGION, Bed, aws_bin, aws_env, tool_version
from .measure import METHOD, Cmd, Figure, Target, fmt_value, measure, measure_many
from .report import Section

NAME = "helper"
TITLE = "Credential helper: `docker-credential-dockpass get` on a hit"

# (runs, warm-up runs) per figure; --quick for a smoke run
# "socket" also sets the runs of the spawn floor and the start-up alone (timed interleaved).
RUNS = {"socket": (200, 10), "aws": (15, 2), "keychain": (50, 3)}
QUICK = {"socket": (20, 2), "aws": (3, 1), "keychain": (5, 1)}

TARGET_MEDIAN_S = 0.005
SETTLE_S = 2.0
TARGET_SPEEDUP = 100.0


def _check_login(out: bytes) -> str | None:
    try:
        got = json.loads(out)
    except ValueError:
        return "not JSON"
    if got.get("Username") != "AWS" or got.get("Secret") != ECR_PASSWORD:
        return "wrong credentials"
    if got.get("ServerURL") != ECR_HOST:
        return "wrong ServerURL"
    return None


def _check_password(out: bytes) -> str | None:
    return None if out.strip() == ECR_PASSWORD.encode() else "wrong password"


def run(bed: Bed, quick: bool = False) -> Section:
    runs = QUICK if quick else RUNS
    bed.start_standins(keyring=True)
    bed.login()
    docker_cfg = json.loads((bed.docker_dir / "config.json").read_text())
    if docker_cfg.get("credHelpers", {}).get(ECR_HOST) != "dockpass":
        raise BenchError(f"login did not set credHelpers[{ECR_HOST}] = dockpass: {docker_cfg}")
    bed.start_daemon()
    time.sleep(SETTLE_S)  # let the stand-ins and the daemon finish starting up

    helper = [str(bed.helper), "get"]
    stdin = ECR_HOST.encode()  # as docker sends it: the server URL, no newline
    work = bed.work

    # Proof that the socket answers: with no config and no keychain the helper still gets it.
    probe_env = {**bed.env, "DOCKPASS_CONFIG": str(bed.root / "no-such-config.toml"),
                 "DBUS_SESSION_BUS_ADDRESS": f"unix:path={bed.root / 'no-bus'}"}
    measure("socket probe", helper, probe_env, work, runs=1, warmup=0, stdin=stdin,
            check=_check_login)

    env = bed.env
    # Interleaved, so their differences say where the hit's time goes: the spawn floor, the
    # helper's start-up alone (`version` reads nothing and asks nobody), and the hit.
    spawn, startup, socket = measure_many([
        Cmd("spawn floor", ["/bin/true"], env),
        Cmd("helper version", [str(bed.helper), "version"], env,
            check=lambda out: None if out.startswith(b"docker-credential-dockpass")
            else "not the version"),
        Cmd("helper get (daemon)", helper, env, stdin=stdin, check=_check_login),
    ], work, runs=runs["socket"][0], warmup=runs["socket"][1], rounds=10)

    creds = bed.credentials()
    aws = aws_bin()
    aws_env_ = aws_env(bed, creds)
    aws_argv = [str(aws), "ecr", "get-login-password", "--region", REGION]
    aws_s = measure("aws ecr get-login-password", aws_argv, aws_env_, work, runs=runs["aws"][0],
                    warmup=runs["aws"][1], check=_check_password, timeout=120)

    bed.stop_daemon()
    keychain = measure("helper get (keychain)", helper, env, work, runs=runs["keychain"][0],
                       warmup=runs["keychain"][1], stdin=stdin, check=_check_login)

    ref = aws_s.median
    figures = [
        Figure("socket", "`docker-credential-dockpass get`, hit via the daemon's socket",
               socket.median, "s", socket.stats(),
               targets=[Target("value", "<", TARGET_MEDIAN_S, "< 5 ms"),
                        Target("ratio", ">=", TARGET_SPEEDUP, ">= 100x faster than aws")],
               ratio=ref / socket.median, ratio_text="{r} faster than aws"),
        Figure("aws", "`aws ecr get-login-password` (aws CLI, same moto)", aws_s.median, "s",
               aws_s.stats(), role="reference"),
        Figure("keychain", "`docker-credential-dockpass get`, hit from the keychain (no daemon)",
               keychain.median, "s", keychain.stats(), ratio=ref / keychain.median,
               ratio_text="{r} faster than aws", role="informative"),
        Figure("spawn", "`/bin/true` (the timer's spawn floor)", spawn.median, "s", spawn.stats(),
               role="timer floor"),
    ]

    aws_version = tool_version([str(aws), "--version"], aws_env_)
    samples = [("`get`, daemon socket", socket), ("`get`, keychain", keychain),
               ("`aws ecr get-login-password`", aws_s),
               ("`docker-credential-dockpass version` (start-up only)", startup),
               ("`/bin/true`", spawn)]
    detail_rows = ["| run | median | p90 | min | max | mean | CPU (user+sys) median | runs (+warm-up) | steal |",
                   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, s in samples:
        st = s.stats()
        detail_rows.append(
            f"| {label} | {fmt_value(st['median'], 's')} | {fmt_value(st['p90'], 's')} | "
            f"{fmt_value(st['min'], 's')} | {fmt_value(st['max'], 's')} | "
            f"{fmt_value(st['mean'], 's')} | {fmt_value(st['cpu_median'], 's')} | "
            f"{st['runs']} (+{st['warmup']}) | {100 * st['steal']:.1f}% |")
    own = socket.median - spawn.median
    exchange = socket.median - startup.median
    details = [
        "\n".join(detail_rows),
        "\n".join([
            "How:",
            f"- Set-up: moto (STS + ECR), saml-idp and gnome-keyring on a private session bus; one "
            f"profile with `docker = \"helper\"` and a registry for {ACCOUNT} in {REGION}; signed "
            "in with `dockpass login` (the IdP's page on stdin); `dockpass daemon --profile bench` "
            "serving `$XDG_RUNTIME_DIR/dockpass/helper.sock`.",
            f"- The helper gets `{ECR_HOST}` on stdin (no newline, as docker sends it) and must "
            "print `{ServerURL, Username: AWS, Secret}` with moto's token; every run is checked. "
            "Before timing, a probe with no config file and no session bus proves the answer "
            "comes from the socket.",
            f"- The aws CLI ({aws_version}) runs `aws ecr get-login-password --region {REGION}` "
            "with the session's STS credentials from `dockpass credentials` in "
            "`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, "
            "`AWS_ENDPOINT_URL` at moto and `AWS_CONFIG_FILE=/dev/null`; it must print the token.",
            "- The keychain figure runs after `dockpass daemon` stopped (its socket no longer "
            "answers): the helper loads the config and state and reads the session from "
            "gnome-keyring over D-Bus itself.",
            f"- Timer: {METHOD}. The daemon hit, the start-up alone and `/bin/true` are timed "
            "interleaved (10 rounds). Steal: the share of CPU time the hypervisor took "
            "meanwhile (/proc/stat). The stand-ins and the daemon idle on the same machine.",
        ]),
        f"Where the socket hit's {fmt_value(socket.median, 's')} go (medians): process creation "
        f"and reaping, the `/bin/true` floor, {fmt_value(spawn.median, 's')}; the helper "
        f"binary's own start-up (`version`, which reads no stdin and asks nobody) "
        f"{fmt_value(max(startup.median - spawn.median, 0.0), 's')} more; reading stdin, the "
        "socket exchange with the daemon and the answer "
        + (fmt_value(exchange, "s") if exchange > 0 else "too little to tell from the noise")
        + " "
        f"(the helper's own work in all: {fmt_value(max(own, 0.0), 's')}).",
    ]
    return Section(NAME, TITLE, figures, details)


if __name__ == "__main__":
    import sys

    from .__main__ import main

    sys.exit(main([NAME, *sys.argv[1:]]))
