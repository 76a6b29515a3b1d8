"""Cầu Nối: the two-way channel between government and people."""

from .config.celery import app as celery_app

__all__ = ["celery_app"]
