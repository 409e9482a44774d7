"""Every response carries a Content-Security-Policy that allows only the portal's own scripts and
styles, and no template relies on what it forbids (inline scripts, <style>, on...= handlers)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
FORBIDDEN = [INLINE_SCRIPT, re.compile(r"<style", re.I), re.compile(r"\son[a-z]+\s*=", re.I), re.compile("javascript:")]


def test_pages_send_a_strict_policy(client, login, clerk):
    for response in (client.get("/accounts/login/"), login(clerk).get("/")):
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert "http" not in policy


def test_no_template_has_inline_script_style_or_handlers():
    templates = [
        path
        for path in ROOT.rglob("*.html")
        if not {".venv", "node_modules", "artifacts", "staticfiles"} & set(path.relative_to(ROOT).parts)
    ]
    assert len(templates) > 20
    offenders = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in templates
        for pattern in FORBIDDEN
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
