"""Every link a user is shown leads somewhere: each demo role follows the links of its pages
(breadth first, GET only) and no page answers with an error.

A link a page shows its user must not end in 403, 404 or 500 for that same user.
"""

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')
# Not pages: logging out, files, static assets, the admin (Django's own) and the API browser.
SKIP = ("/accounts/logout/", "/static/", "/media/", "/admin/", "/api/")
PAGES_PER_ROLE = 400


def _shape(url: str) -> str:
    """One page per view and set of filters: /villages/431302001001/ and /villages/431302001002/
    are the same page for this purpose, as are ?year=2023 and ?year=2024."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


@pytest.fixture
def demo(divisions):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def _links(html: str) -> list[str]:
    found = []
    for raw in HREF.findall(html):
        url, _ = urldefrag(unescape(raw))
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith(SKIP):
            continue
        found.append(url)
    return found


@pytest.mark.parametrize(
    "username", ["town-431302001", "town-431302100", "county-431302", "city", "agri", "finance", "admin"]
)
def test_every_link_answers(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    seen, queue, failures = {_shape("/")}, deque(["/"]), []
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code >= 400:
            failures.append((url, response.status_code))
            continue
        if response.status_code in (301, 302):
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _links(response.content.decode()):
            key = _shape(link)
            if key not in seen:
                seen.add(key)
                queue.append(link)
    assert visited > 20, f"{username} reached only {visited} pages"
    assert not queue, f"{username}: more than {PAGES_PER_ROLE} kinds of page, raise the limit"
    assert failures == [], f"{username}: {failures}"
