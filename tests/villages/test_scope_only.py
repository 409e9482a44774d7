"""villages/scope.py is the one place that reads a user's role or division: every view, API action,
serializer, form, template, menu and service asks it a question (can_enter, reviews, oversees,
income_actions, q(path) …) instead. This scans the source so a new role test elsewhere fails."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("villages", "assets", "rectification", "incentives", "organisation", "loudi_portal", "templates")
# Reading the role, the level or the division ids of a Scope outside the scope module.
ROLE_READ = re.compile(r"\bscope(?:_for\([^)]*\))?\.(is_[a-z_]+|role|level|county_id|township_id)\b")
# Building a Scope or naming a level outside the scope module: narrow with Scope.for_county /
# for_township, read the whole city with city_wide().
SCOPE_BUILD = re.compile(r"\bLevel\.[A-Z]+\b|\bScope\(|\breplace\(\s*scope\b")


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                yield path


def test_no_module_but_scope_reads_roles_or_divisions():
    offenders = []
    for path in _sources():
        if path == ROOT / "villages" / "scope.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ROLE_READ.search(line) or SCOPE_BUILD.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "ask villages/scope.py instead:\n" + "\n".join(offenders)


def test_the_scan_sees_a_role_read():
    # The pattern must catch what it forbids, in Python and in a template.
    assert ROLE_READ.search("if self.scope.is_city or self.scope.is_county:")
    assert ROLE_READ.search("{% if scope.is_clerk %}")
    assert ROLE_READ.search("qs.filter(township_id=scope.township_id)")
    assert ROLE_READ.search("if not scope_for(request.user).is_admin:")
    assert not ROLE_READ.search("if scope.can_enter(village):")
    assert SCOPE_BUILD.search("Scope(role=scope.role, level=Level.COUNTY, county_id=county.pk)")
    assert SCOPE_BUILD.search("return replace(scope, level=level, county_id=county.pk)")
    assert SCOPE_BUILD.search("if scope_level != Level.NONE:")
    assert not SCOPE_BUILD.search("return _panel(scope.for_county(county))")
    assert not SCOPE_BUILD.search("class TeamView(ScopedMixin, ListView):")


def test_the_scan_covers_organisation_and_its_templates():
    sources = set(_sources())
    assert ROOT / "organisation" / "views.py" in sources
    assert ROOT / "organisation" / "templates" / "organisation" / "training.html" in sources
