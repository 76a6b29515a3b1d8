"""Command line: `python -m caunoi.devstack {env,exec,run,down}` (see the package docstring)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from . import embedded, services, supervisor
from ._proc import DevstackError
from .paths import prepare_local_dir, venv_bin


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        return int(arguments.handler(arguments))
    except DevstackError as exc:
        print(f"devstack: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m caunoi.devstack",
        description="Embedded PostgreSQL and Redis for development, used for whichever of "
        "DATABASE_URL and REDIS_URL is unset; data in .local/ or $CAUNOI_LOCAL_DIR.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    env = commands.add_parser("env", help="start what is needed and print export lines for it")
    env.set_defaults(handler=_env)

    run_command = commands.add_parser("exec", help="run a command with DATABASE_URL and REDIS_URL filled in")
    run_command.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS...]")
    run_command.set_defaults(handler=_exec)

    run = commands.add_parser("run", help="migrate, seed and run web server, worker and beat")
    run.add_argument("--host", default="127.0.0.1", help="address for the web server (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8000, help="port for the web server (default 8000)")
    run.set_defaults(handler=_run)

    down = commands.add_parser("down", help="stop the embedded services (data is kept)")
    down.set_defaults(handler=_down)
    return parser


def _env(arguments: argparse.Namespace) -> int:
    """Prints `export NAME=URL` for each embedded service, for `eval "$(python -m caunoi.devstack env)"`.
    The servers keep running afterwards (a shell is not a process that could release them)."""
    local = prepare_local_dir()
    ensure = {embedded.POSTGRES: embedded.ensure_postgres, embedded.REDIS: embedded.ensure_redis}
    missing = services.unconfigured()
    if not missing:
        print("# DATABASE_URL and REDIS_URL are both set: nothing is embedded", file=sys.stderr)
    for name in missing:
        print(f"export {services.VARIABLES[name]}={shlex.quote(ensure[name](local))}")
    return 0


def _exec(arguments: argparse.Namespace) -> int:
    """Replaces this process with CMD (so its exit code and signals are CMD's own), after starting the
    embedded services for unset variables and registering this pid, soon CMD's, as their user."""
    command = list(arguments.argv)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("devstack exec: nothing to run; usage: python -m caunoi.devstack exec -- CMD [ARGS...]", file=sys.stderr)
        return 2
    missing = services.unconfigured()
    if missing:  # with both variables set nothing is embedded, and .local/ is not even created
        services.publish(embedded.acquire(prepare_local_dir(), missing))
    env = dict(os.environ)
    # Like an activated virtualenv: `exec -- python -m pytest` means this virtualenv's python.
    env["PATH"] = os.pathsep.join(filter(None, [str(venv_bin()), env.get("PATH")]))
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, env)  # noqa: S606 - running the user's command is the point
    except OSError as exc:
        print(f"devstack exec: cannot run {command[0]!r}: {exc.strerror}", file=sys.stderr)
        return 127
    return 0  # not reached: execvpe either replaces the process or raises


def _run(arguments: argparse.Namespace) -> int:
    return supervisor.run(host=arguments.host, port=arguments.port)


def _down(arguments: argparse.Namespace) -> int:
    local = prepare_local_dir()
    stopped = embedded.stop_embedded(local)
    if stopped:
        print(f"devstack: stopped embedded {', '.join(stopped)} (data kept in {local})")
    else:
        print(f"devstack: no embedded service was running for {local}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
