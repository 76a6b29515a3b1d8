"""The databases benchmarks generate their data into: one per benchmark, on the server DATABASE_URL names,
made afresh (or kept between runs with BENCH_KEEP=1) and dropped at the end."""

from __future__ import annotations

import os
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caunoi.config.settings")
    # No connection pool: a pool hands back connections to the database it was opened on, so after
    # use_database() switches databases the next queries would still reach the previous one.
    os.environ["DATABASE_POOL_MAX_SIZE"] = "0"
    import django

    django.setup()


def server_dsn(suffix: str) -> tuple[str, str]:
    """The server's connection string (no database) and the benchmark's database name, `<name>_<suffix>`."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    dsn = make_conninfo(
        host=default["HOST"] or "localhost",
        port=default["PORT"] or "5432",
        user=default["USER"] or "postgres",
        **({"password": default["PASSWORD"]} if default["PASSWORD"] else {}),
    )
    return dsn, f"{default['NAME']}_{suffix}"


def use_database(name: str) -> None:
    """Points Django's default connection at `name`."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def row_count(dsn: str, name: str, table: str) -> int | None:
    """Rows in `table` of database `name`, or None if there is no such database or table (a kept database
    from an earlier run is reused only when it holds the whole data set)."""
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            return None
    try:
        with psycopg.connect(f"{dsn} dbname={name}") as conn:
            row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608 (a constant of the caller)
    except psycopg.Error:
        return None
    return int(row[0]) if row else None


def recreate_database(dsn: str, name: str, *migrate: Any) -> None:
    """Drops and creates `name`, points Django at it and migrates (`migrate`: arguments of the command, e.g.
    an app label to migrate only what it stands on)."""
    from django.core.management import call_command

    drop_database(dsn, name)
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    use_database(name)
    call_command("migrate", *migrate, verbosity=0)


def drop_database(dsn: str, name: str) -> None:
    from django.db import connection

    connection.close()
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
