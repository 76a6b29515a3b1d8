"""System check: invalid workflow files stop start-up (runserver, migrate, uvicorn via django.setup, CI)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from .loader import WorkflowError
from .registry import reload


@register()
def check_workflows(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        reload()
    except WorkflowError as exc:
        return [Error(str(problem), id="workflows.E001") for problem in exc.problems]
    return []
