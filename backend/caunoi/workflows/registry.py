"""The workflows in force, loaded once per process from settings.WORKFLOWS_DIR."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .loader import load_workflows
from .types import WorkflowSet


@lru_cache(maxsize=1)
def _load(root: str) -> WorkflowSet:
    return load_workflows(Path(root))


def workflows() -> WorkflowSet:
    """Every version of every workflow. Raises WorkflowError if the files are invalid."""
    return _load(str(settings.WORKFLOWS_DIR))


def reload() -> WorkflowSet:
    _load.cache_clear()
    return workflows()
