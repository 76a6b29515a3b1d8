"""`python -m caunoi.devstack run`: the whole project on one machine, in one terminal.

Order: embedded services (for unset variables) → migrate → sync_calendar → seed_demo → seed_demo_dialogues →
web server, worker, beat and the inbound mail server as children → wait for /readyz → print where to go. Then it
supervises:

- SIGINT, SIGTERM or SIGHUP: children get SIGTERM, and SIGKILL (their whole process group) after
  STOP_GRACE seconds; then the embedded services this run started are stopped; exit code 0.
- a child exits on its own: the others are stopped the same way; exit code 1, naming the child.

Children run in their own process groups, so a Ctrl-C at the terminal reaches only the supervisor, which
then stops them in order instead of everything dying at once. On Linux they also get PR_SET_PDEATHSIG,
so they do not outlive a supervisor that is killed outright (SIGKILL cannot be caught).
"""

from __future__ import annotations

import ctypes
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from . import embedded, services
from ._proc import DevstackError, port_is_free, wait_until
from .paths import BACKEND_DIR, MANAGE_PY, prepare_local_dir, venv_command

STOP_GRACE = 10.0
READY_TIMEOUT = 120.0
POLL_INTERVAL = 0.25
DEMO_ACCOUNTS = ("demo-citizen", "demo-official", "demo-leader", "demo-moderator", "demo-admin")
DEFAULT_DEMO_PASSWORD = "demo12345"  # noqa: S105 - the documented password of the local demo accounts
CELERY_LOGGING = ("--loglevel", "INFO")
SETUP_STEPS = (
    ("migrate", ["migrate", "--noinput"]),
    ("sync_calendar", ["sync_calendar"]),
    ("seed_demo", ["seed_demo"]),
    ("seed_demo_dialogues", ["seed_demo_dialogues"]),  # one live and one scheduled dialogue to watch at once
)


def say(message: str) -> None:
    print(f"devstack: {message}", flush=True)


def complain(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def exit_code(self) -> int | None:
        return self.process.poll()


class Supervisor:
    """Starts children, notices stop signals and dead children, and stops everything it started."""

    def __init__(self) -> None:
        self.stop_signal: int | None = None
        self.children: list[Child] = []

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Only a flag: the main loop polls it, so no cleanup ever runs inside a signal handler.
        if self.stop_signal is None:
            self.stop_signal = signum

    @property
    def stopping(self) -> bool:
        return self.stop_signal is not None

    def announce_stop(self) -> None:
        say(f"received {signal.Signals(self.stop_signal or signal.SIGTERM).name}; shutting down")

    def spawn(self, name: str, argv: Sequence[str], env: dict[str, str]) -> Child:
        child = Child(name, _popen(argv, env))
        self.children.append(child)
        return child

    def run_step(self, name: str, argv: Sequence[str], env: dict[str, str]) -> int | None:
        """Runs a setup command to completion; its exit code, or None if a stop signal interrupted it."""
        child = self.spawn(name, argv, env)
        while child.exit_code is None:
            if self.stopping:
                return None
            time.sleep(POLL_INTERVAL)
        self.children.remove(child)
        return child.exit_code

    def dead_child(self) -> Child | None:
        return next((child for child in self.children if child.exit_code is not None), None)

    def stop_children(self) -> None:
        """SIGTERM to every running child, then SIGKILL to the process group of any still running
        after STOP_GRACE seconds (catching e.g. celery's pool processes with their parent)."""
        running = [child for child in self.children if child.exit_code is None]
        for child in running:
            say(f"stopping {child.name} (pid {child.process.pid})")
            _signal_quietly(child.process.pid, signal.SIGTERM)
        all_stopped = wait_until(lambda: all(child.exit_code is not None for child in running), timeout=STOP_GRACE)
        if not all_stopped:
            for child in running:
                if child.exit_code is None:  # still unreaped, so its pid is still its process group id
                    complain(f"{child.name} did not stop within {STOP_GRACE:.0f} s; killing it")
                    _signal_quietly(child.process.pid, signal.SIGKILL, group=True)
                    child.process.wait()
        self.children.clear()


def run(*, host: str, port: int) -> int:
    """The `run` subcommand; returns the process exit code (0 after a stop signal)."""
    supervisor = Supervisor()
    supervisor.install_signal_handlers()
    if not port_is_free(port, _bind_probe_host(host)):
        complain(f"port {port} on {host} is in use; choose another: --port N (make run RUN_ARGS='--port N')")
        return 1
    local = prepare_local_dir()
    say(f"local data folder: {local}")
    missing = services.unconfigured()
    try:
        started = embedded.acquire(local, missing) if missing else []
    except DevstackError as exc:
        complain(str(exc))
        return 1
    for service in started:
        say(f"embedded {service.label}: {service.url} ({'started' if service.started else 'already running'})")
    services.publish(started)
    try:
        return _serve(supervisor, local, host=host, port=port)
    finally:
        supervisor.stop_children()
        _release(local, [service for service in started if service.started])


WS_PROTOCOL = "caunoi.config.ws_protocol:LeanWebSocketProtocol"


def web_command(host: str, port: int, *, env: Mapping[str, str]) -> list[str]:
    """uvicorn's command line. As in deploy/entrypoint.sh, a dialogue frame is not compressed again for each
    viewer, and each connection's handshake is let go once accepted (caunoi/config/ws_protocol.py).
    X-Forwarded-For and -Proto are believed only from the proxy named in FORWARDED_ALLOW_IPS: uvicorn
    would otherwise trust them from 127.0.0.1, so any local client could claim another address and escape
    the per-address rate limits."""
    command = [*venv_command("uvicorn"), "caunoi.config.asgi:application", "--host", host, "--port", str(port)]
    command += ["--ws", WS_PROTOCOL, "--ws-per-message-deflate", "false"]
    trusted = env.get("FORWARDED_ALLOW_IPS", "").strip()
    if trusted:
        return [*command, "--proxy-headers", "--forwarded-allow-ips", trusted]
    return [*command, "--no-proxy-headers"]


def _serve(supervisor: Supervisor, local: Path, *, host: str, port: int) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "true")
    if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        os.environ["SECRET_KEY"] = services.development_secret_key(local)
    env = with_portal_base_url(services.child_environment(), host=host, port=port)

    failed = _run_setup_steps(supervisor, env)
    if failed is not None:
        return failed

    supervisor.spawn("web server (uvicorn)", web_command(host, port, env=env), env)
    celery = [*venv_command("celery"), "-A", "caunoi"]
    supervisor.spawn("celery worker", [*celery, "worker", *CELERY_LOGGING, "--concurrency", "2"], env)
    schedule = str(local / "celerybeat-schedule")
    supervisor.spawn("celery beat", [*celery, "beat", *CELERY_LOGGING, "--schedule", schedule], env)
    # Mail in: an embedded SMTP server for INBOUND_MAIL_DOMAIN (caunoi.intake.smtp); mail out stays on the
    # console backend, so what the platform sends is printed in this terminal.
    mail_port = mail_port_for(port)
    mail_server = [sys.executable, str(MANAGE_PY), "mail_server", "--host", _mail_host(host), "--port", str(mail_port)]
    supervisor.spawn("inbound mail server (aiosmtpd)", mail_server, env)

    base_url = f"http://{_url_host(host)}:{port}"
    ready_url = f"{base_url}/readyz"
    say(f"waiting for {ready_url}")
    outcome = _supervise(
        supervisor, until=lambda: _answers_200(ready_url), timeout=READY_TIMEOUT, waiting_for=ready_url
    )
    if outcome is not None:
        return outcome
    _print_banner(base_url, mail=f"{_url_host(_mail_host(host))}:{mail_port}")
    return _supervise(supervisor, until=lambda: False, timeout=None, waiting_for="a stop signal") or 0


def with_portal_base_url(env: dict[str, str], *, host: str, port: int) -> dict[str, str]:
    """`env` with PORTAL_BASE_URL (the root of links in messages, feeds and shares) set to the address served,
    unless it is set already: the settings' default names port 8000, wrong under `--port`."""
    if env.get("PORTAL_BASE_URL", "").strip():
        return env
    return {**env, "PORTAL_BASE_URL": f"http://{_url_host(host)}:{port}"}


def _run_setup_steps(supervisor: Supervisor, env: dict[str, str]) -> int | None:
    """Runs migrate, sync_calendar and seed_demo in order. None when all succeeded; otherwise the code
    run() should exit with: the failed step's, or 0 when a stop signal came first."""
    for name, arguments in SETUP_STEPS:
        if supervisor.stopping:
            supervisor.announce_stop()
            return 0
        say(f"manage.py {' '.join(arguments)}")
        code = supervisor.run_step(f"manage.py {name}", [sys.executable, str(MANAGE_PY), *arguments], env)
        if code is None:
            supervisor.announce_stop()
            return 0
        if code != 0:
            complain(f"manage.py {name} {_describe_exit(code)}; not starting the servers")
            return code if code > 0 else 1
    return None


def _supervise(
    supervisor: Supervisor, *, until: Callable[[], bool], timeout: float | None, waiting_for: str
) -> int | None:
    """Polls until `until()` holds (returns None), a stop signal (0), a dead child or the timeout (1)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        if supervisor.stopping:
            supervisor.announce_stop()
            return 0
        dead = supervisor.dead_child()
        if dead is not None:
            complain(f"{dead.name} {_describe_exit(dead.exit_code)}; stopping the others")
            return 1
        if until():
            return None
        if deadline is not None and time.monotonic() > deadline:
            complain(f"gave up waiting for {waiting_for} after {timeout:.0f} s; stopping")
            return 1
        time.sleep(0.5)


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def mail_port_for(web_port: int) -> int:
    """The inbound SMTP port: MAIL_SERVER_PORT, else 2525 beside the default web port (web port + 17525
    beside another one, so two `make run`s on different ports do not collide)."""
    configured = os.environ.get("MAIL_SERVER_PORT", "").strip()
    if configured:
        return int(configured)
    return 2525 if web_port == 8000 else (web_port + 17525) % 65536


def _mail_host(host: str) -> str:
    # Never on a public address by default: it has no TLS, no authentication and no spam filter.
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - recognising the wildcard


def _print_banner(base_url: str, *, mail: str = "") -> None:
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    inbound = os.environ.get("INTAKE_MAIL_ADDRESS") or "gopy@caunoi.local"
    lines = [
        "",
        f"  Cầu Nối is running at {base_url}/",
        f"  API docs:      {base_url}/api/docs/",
        f"  Admin:         {base_url}/admin/",
        f"  Inbound mail:  smtp://{mail} (send to {inbound}: it becomes a case; README: a test mail)",
        "  Outbound mail: printed here (console backend)",
        f"  Demo accounts: {', '.join(DEMO_ACCOUNTS)}",
        f"  Password:      {password}",
        "  Staff accounts set up two-factor login (an authenticator app) at their first login.",
        "  Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)


def _release(local: Path, started: list[embedded.Service]) -> None:
    if not started:
        return
    try:
        others = embedded.release(local, started)
    except DevstackError as exc:
        complain(f"could not stop the embedded services: {exc}")
        return
    labels = ", ".join(service.label for service in started)
    if others:
        say(f"leaving embedded {labels} running: still used by pid {', '.join(map(str, others))}")
    else:
        say(f"stopped embedded {labels} (data kept in {local})")


def _url_host(host: str) -> str:
    """The host to put in URLs: a wildcard address is reached through loopback; IPv6 needs brackets."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - recognising the wildcard, not binding to it
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _bind_probe_host(host: str) -> str:
    return "0.0.0.0" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - probing, see port_is_free


def _answers_200(url: str) -> bool:
    # http.client, not urllib: urllib would honour HTTP(S)_PROXY and send a loopback probe to a proxy.
    scheme_less = url.removeprefix("http://")
    authority, _, path = scheme_less.partition("/")
    hostname, _, port = authority.rpartition(":")
    connection = http.client.HTTPConnection(hostname.strip("[]"), int(port), timeout=2)
    try:
        connection.request("GET", "/" + path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _popen(argv: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - argv is built in this module
        list(argv),
        cwd=BACKEND_DIR,
        env=env,
        stdin=subprocess.DEVNULL,  # a background process group reading the terminal would be stopped
        process_group=0,
        preexec_fn=_die_with_parent(),  # safe: the supervisor runs no threads
    )


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a pre-exec hook asking the kernel to SIGTERM the child when the supervisor dies."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here: loading libraries after fork is unsafe
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def hook() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the supervisor died before prctl took effect
            os._exit(1)

    return hook


def _signal_quietly(pid: int, signum: int, *, group: bool = False) -> None:
    try:
        if group:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass
