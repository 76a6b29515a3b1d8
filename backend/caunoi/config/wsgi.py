import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caunoi.config.settings")
# Web requests, unlike workers and commands, run under DATABASE_STATEMENT_TIMEOUT_MS (settings/base.py).
os.environ.setdefault("CAUNOI_WEB_PROCESS", "1")
application = get_wsgi_application()
