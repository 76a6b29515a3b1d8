"""Settings for benchmark servers: the project's, with the baseline view added and a database of its own."""

import os

from caunoi.config.settings import *  # noqa: F403
from caunoi.config.settings import DATABASES

ROOT_URLCONF = "tests.bench.bench_urls"
DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "WARNING", "handlers": []}}
