"""Helpers for browser tests: accessibility findings and screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def serious_accessibility_violations(page) -> list[str]:
    """axe-core findings of serious or critical impact, as readable lines."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def screenshot(page, name: str) -> None:
    """Saves desktop and phone screenshots when SCREENSHOT_DIR is set (for people to look at, not to assert)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=f"{folder}/{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=f"{folder}/{name}-phone.png", full_page=True)
    page.set_viewport_size(size)
