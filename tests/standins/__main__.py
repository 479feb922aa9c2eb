"""Command line for the stand-ins (run from the repo root with the venv's python).

  python -m tests.standins up [--json] [--workdir DIR] [--state-file FILE] [--ecr-ttl S]
                              [--account 111111111111] [--session-duration 3600] [--no-image]
                              [--idp-role 'roleArn,providerArn' ...] [--exit-with PID]
      Start patched moto, docker-registry (accepting the account's moto ECR token) and
      saml-idp; push a tiny image team/app:v1; print where they are (one JSON line with
      --json); keep running until SIGTERM/SIGINT/SIGHUP, then stop them all.
  python -m tests.standins down --state-file FILE
      Stop the services recorded in FILE by `up --state-file` (e.g. after the launcher was
      SIGKILLed). Only process groups whose command line still matches are signalled.
  python -m tests.standins sign-in IDP_URL [--role 'roleArn,providerArn' ...]
      Sign in like a browser and print the HTML page holding the SAMLResponse form.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from .idp import Idp, sign_in
from .motoserver import MotoServer
from .procs import StandinError, stop_group, stop_services
from .registry import Registry


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cmd_up(args: argparse.Namespace) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _raise_stop)
    created = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="dockpass-standins-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    services: list = []
    state_file = Path(args.state_file).resolve() if args.state_file else None
    try:
        moto = MotoServer(workdir, ecr_ttl=args.ecr_ttl)
        services.append(moto)
        registry = Registry(workdir, account=args.account)
        services.append(registry)
        idp = Idp(workdir, session_duration=args.session_duration, roles=args.idp_role or None)
        services.append(idp)
        image = None if args.no_image else registry.push_image("team/app", "v1")
        info = {
            "workdir": str(workdir),
            "moto": moto.info(),
            "registry": registry.info(),
            "idp": idp.info(),
            "image": image,
            "launcher_pid": os.getpid(),
        }
        if state_file:
            tmp = state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(info, indent=2) + "\n")
            os.replace(tmp, state_file)
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            print(f"moto      {moto.url}   (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_ECR)")
            print(f"saml-idp  {idp.url}")
            print(f"registry  {registry.host}   user AWS, password {registry.password}")
            if image:
                print(f"image     {image['ref']}")
            print(f"workdir   {workdir}")
            print("running; Ctrl-C or SIGTERM stops", flush=True)
        while True:
            if args.exit_with and not _alive(args.exit_with):
                return 0
            for s in services:
                if not s.service.alive():
                    raise StandinError(f"{s.service.name} exited unexpectedly:\n{s.service.log_tail()}")
            time.sleep(1.0)
    except _Stop:
        return 0
    except StandinError as e:
        print(f"standins: {e}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for s in reversed(services):
            s.stop()
        stop_services()  # a service still starting when the signal came (not in `services` yet)
        if state_file:
            state_file.unlink(missing_ok=True)
        if created and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def cmd_down(args: argparse.Namespace) -> int:
    path = Path(args.state_file)
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        print(f"standins: cannot read {path}: {e}", file=sys.stderr)
        return 1
    launcher = info.get("launcher_pid")
    if launcher:
        try:
            os.kill(launcher, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    markers = {"moto": "tests.standins.moto_patched", "registry": "docker-registry", "idp": "saml-idp"}
    for key, marker in markers.items():
        pid = (info.get(key) or {}).get("pid")
        if pid:
            stop_group(int(pid), marker)
    path.unlink(missing_ok=True)
    return 0


def cmd_sign_in(args: argparse.Namespace) -> int:
    overrides = {}
    if args.role:
        overrides["roles"] = args.role
    sys.stdout.write(sign_in(args.idp_url, **overrides))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.standins", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start moto, registry and saml-idp")
    up.add_argument("--json", action="store_true", help="print one JSON line with ports and pids")
    up.add_argument("--workdir", help="folder for keys, configs, logs, registry data (default: a temp dir)")
    up.add_argument("--keep", action="store_true", help="keep the temp workdir at exit")
    up.add_argument("--state-file", help="write the JSON here too (for `down`)")
    up.add_argument("--ecr-ttl", type=int, default=None, help="ECR token lifetime in seconds (default 12h)")
    up.add_argument("--account", default="111111111111", help="account whose ECR token the registry accepts")
    up.add_argument("--session-duration", type=int, default=3600, help="SessionDuration attribute")
    up.add_argument("--no-image", action="store_true", help="do not push team/app:v1")
    up.add_argument("--idp-role", action="append", metavar="ROLE_ARN,PROVIDER_ARN",
                    help="a Role attribute value (repeatable; default: the test roles in two accounts)")
    up.add_argument("--exit-with", type=int, metavar="PID", help="stop everything when PID exits")
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="stop what `up --state-file` recorded")
    down.add_argument("--state-file", required=True)
    down.set_defaults(func=cmd_down)
    si = sub.add_parser("sign-in", help="sign in at saml-idp, print the SAMLResponse page")
    si.add_argument("idp_url")
    si.add_argument("--role", action="append", help="Role value 'roleArn,providerArn' (repeatable)")
    si.set_defaults(func=cmd_sign_in)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
