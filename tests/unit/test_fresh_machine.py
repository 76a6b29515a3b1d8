"""What a fresh machine needs from the repository: requirements that name no machine's package mirror, and a
test command that installs the system packages its tests drive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# pip options that point at one machine's package index or folder of wheels, and file URLs.
INDEX_OPTIONS = ("extra-index-url", "index-url", "find-links")
MACHINE_SPECIFIC = re.compile(rf"^\s*(--({'|'.join(INDEX_OPTIONS)})\b|-[if]\s)|file:/{{2}}", re.M)


@pytest.mark.parametrize("path", sorted((ROOT / "requirements").glob("*.txt")), ids=lambda p: p.name)
def test_requirements_name_no_package_mirror(path):
    assert not MACHINE_SPECIFIC.search(path.read_text()), f"{path.name} names one machine's package index"


def test_make_test_installs_the_system_packages_first():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest: venv\n", 1)[1].split("\n\n", 1)[0]
    first_command = recipe.strip().splitlines()[0]
    assert "tests/tools/install-system-packages" in first_command
    script = (ROOT / "tests/tools/install-system-packages").read_text()
    assert "chromium" in script
    assert "nginx" in script


def test_compiled_requirements_keep_index_urls_out():
    makefile = (ROOT / "Makefile").read_text()
    assert "--no-emit-index-url" in makefile
    assert "--no-emit-find-links" in makefile


def test_no_two_test_modules_share_a_name():
    # pytest imports test modules by their basename (the folders are not packages): a second module of the
    # same name stops the whole run at collection.
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
