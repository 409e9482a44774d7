"""loudi_portal/clock.py is the one place that reads today's date: a patch of clock.now moves every
date the portal computes, and no module can read a UTC date or the server's zone by mistake. The scan
parses every module of the project (migrations, tests and clock.py aside) and every template."""

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from unittest import mock

import pytest

from loudi_portal import clock
from rectification.models import Clue
from villages import selectors as village_selectors

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "tests", "migrations", ".git", "static", "staticfiles", "media"}
CLOCK = ROOT / "loudi_portal" / "clock.py"
DATE_NAMES = {"date", "datetime"}


def _modules():
    for path in ROOT.rglob("*.py"):
        if not SKIP.intersection(path.relative_to(ROOT).parts) and path != CLOCK:
            yield path


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def offences(source: str) -> list[tuple[int, str]]:
    """Each reading of the date outside the clock: (line, what)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "localdate":
            found.append((node.lineno, "timezone.localdate"))  # called or passed as a default
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner, attr = _dotted(node.func.value), node.func.attr
            if attr in ("today", "now", "utcnow") and owner.rsplit(".", 1)[-1] in DATE_NAMES:
                found.append((node.lineno, f"{owner}.{attr}()"))
            elif attr == "now" and owner.rsplit(".", 1)[-1] == "timezone":
                # A timestamp too: a patch of the clock must move "submitted at" with "today".
                found.append((node.lineno, f"{owner}.now()"))
            elif attr == "date" and isinstance(node.func.value, ast.Call) and not node.args:
                inner = _dotted(node.func.value.func)
                if inner.endswith("now") or inner.endswith("localtime"):
                    found.append((node.lineno, f"{inner}().date()"))
        elif isinstance(node, ast.ImportFrom) and node.module == "loudi_portal.clock":
            # `from loudi_portal.clock import today` binds the function: a patch of the clock misses it.
            found += [
                (node.lineno, f"from loudi_portal.clock import {a.name}") for a in node.names if a.name != "SHANGHAI"
            ]
    return found


def test_no_module_reads_the_date_but_the_clock():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _modules()
        for line, what in offences(path.read_text(encoding="utf-8"))
    ]
    templates = [
        f"{path.relative_to(ROOT)}: {{% now %}}"
        for path in ROOT.rglob("*.html")
        if not SKIP.intersection(path.relative_to(ROOT).parts) and "{% now" in path.read_text(encoding="utf-8")
    ]
    assert found + templates == [], "use loudi_portal.clock.today() / clock.now():\n" + "\n".join(found + templates)


def test_the_scan_sees_each_way_of_reading_the_date():
    for source in (
        "today = timezone.localdate()",
        "found_on = models.DateField(default=timezone.localdate)",
        "x = date.today()",
        "x = datetime.date.today()",
        "x = datetime.now()",
        "x = datetime.datetime.utcnow()",
        "x = timezone.now().date()",
        "x = timezone.localtime().date()",
        "from loudi_portal.clock import today",
        "stamp = timezone.now()",
        "cutoff = django.utils.timezone.now() - delta",
    ):
        assert offences(source), source
    for source in (
        "today = clock.today()",
        "stamp = clock.now()",
        "name = f'{clock.today():%Y%m%d}'",
        "from loudi_portal.clock import SHANGHAI",
        "day = run.finished_at.date()",
    ):
        assert not offences(source), source


def test_the_scan_covers_the_apps_commands_and_demo_data():
    modules = set(_modules())
    for path in ("villages/selectors.py", "assets/services.py", "rectification/demo.py", "manage.py"):
        assert ROOT / path in modules
    assert any("management" in path.parts for path in modules)
    assert not any("migrations" in path.parts for path in modules) and CLOCK not in modules


def test_today_is_loudis_calendar_day(settings):
    # 2024-05-31 18:30 UTC is already 1 June in Loudi, whatever zone the server is set to.
    settings.TIME_ZONE = "UTC"
    with mock.patch("django.utils.timezone.now", return_value=datetime(2024, 5, 31, 18, 30, tzinfo=UTC)):
        assert clock.today() == date(2024, 6, 1)


@pytest.mark.django_db
def test_patching_the_clock_moves_every_date():
    with mock.patch("loudi_portal.clock.now", return_value=datetime(2030, 12, 31, 16, 5, tzinfo=UTC)):
        assert clock.today() == date(2031, 1, 1)
        assert village_selectors.income_year_choices()[0] == 2031
        assert Clue().found_on == date(2031, 1, 1)  # the model default asks the clock too
