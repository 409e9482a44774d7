"""List pages neither grow nor add queries with the number of units in scope: the county and
township filters are searchable pickers fed by the API, not a <select> of every unit."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villages.models import County, Township

pytestmark = pytest.mark.django_db

# (url, the largest page allowed, in bytes) for the whole city's lists.
PAGES = [
    ("/income/?year=2024", 60_000),
    ("/rectification/clues/", 40_000),
    ("/rectification/inspections/", 40_000),
    ("/assets/", 40_000),
    ("/assets/contracts/", 40_000),
    ("/assets/warnings/", 40_000),
    ("/villages/", 60_000),
]


def _measure(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(response.content), len(queries)


def _add_townships(n: int) -> None:
    county = County.objects.create(code="990001", name="测试县")
    Township.objects.bulk_create(
        Township(county=county, code=f"990001{i:03d}", name=f"测试{i}镇") for i in range(1, n + 1)
    )


@pytest.mark.parametrize("url,max_bytes", PAGES)
def test_list_page_size_and_queries_do_not_grow_with_units(login, city_user, url, max_bytes):
    client = login(city_user)
    client.get(url)  # warm the session
    cache.clear()  # lists computed, not read from the cache (the warnings are kept there)
    size, queries = _measure(client, url)
    assert size < max_bytes
    _add_townships(900)
    cache.clear()
    more_size, more_queries = _measure(client, url)
    assert more_queries == queries
    # The same page but for the few bytes the new county adds where counties are listed by name.
    assert abs(more_size - size) < 2_000 and more_size < max_bytes


def test_township_api_search_feeds_the_picker(api_login, reviewer):
    api = api_login(reviewer)
    found = api.get("/api/townships/", {"q": "乐坪"}).json()["results"]
    assert [t["code"] for t in found] == ["431302001"]
    # Scoped: another county's township is not found, even by its exact code.
    assert api.get("/api/townships/", {"q": "431322"}).json()["count"] == 0
    assert api.get("/api/counties/", {"q": "娄星"}).json()["count"] == 1


# --- summary pages at two sizes: Loudi's 5 counties and 89 townships, then a province's shape ---------------
PROVINCE_COUNTIES, TOWNSHIPS_PER_COUNTY = 120, 16


def _add_province() -> None:
    """120 more counties of 16 townships and one village each: Hunan's shape beside Loudi's."""
    from villages.models import Village

    counties = County.objects.bulk_create(
        County(code=f"98{i:04d}", name=f"省测{i}县") for i in range(1, PROVINCE_COUNTIES + 1)
    )
    townships = Township.objects.bulk_create(
        Township(county=county, code=f"{county.code}{j:03d}", name=f"{county.name}{j}镇")
        for county in counties
        for j in range(1, TOWNSHIPS_PER_COUNTY + 1)
    )
    Village.objects.bulk_create(
        Village(township=township, code=f"{township.code}201", name=f"{township.name}一村") for township in townships
    )


def _add_counties(n: int, first: int = 1) -> None:
    """n more counties (codes 97xxxx from `first`, after Loudi's) of one township and one village
    each: a country's number of counties at little cost."""
    from villages.models import Village

    counties = County.objects.bulk_create(County(code=f"97{i:04d}", name=f"国测{i}县") for i in range(first, first + n))
    townships = Township.objects.bulk_create(
        Township(county=county, code=f"{county.code}001", name=f"{county.name}一镇") for county in counties
    )
    Village.objects.bulk_create(
        Village(township=township, code=f"{township.code}201", name=f"{township.name}一村") for township in townships
    )


# (url, queries, the largest page allowed at either size, in bytes)
SUMMARY_PAGES = [
    # By county, one county's townships at a time: no table grows with the number of townships.
    ("/rectification/rates/", 9, 200_000),
    ("/rectification/rates/?county=431302", 12, 200_000),
]


@pytest.mark.parametrize("url,expected_queries,max_bytes", SUMMARY_PAGES)
def test_summary_page_queries_and_size_at_two_sizes(login, city_user, url, expected_queries, max_bytes):
    client = login(city_user)
    client.get(url)  # warm the session
    cache.clear()  # the figures computed, not read from the cache
    small_size, small_queries = _measure(client, url)
    _add_province()
    cache.clear()
    large_size, large_queries = _measure(client, url)
    assert small_queries == large_queries == expected_queries
    assert small_size < max_bytes and large_size < max_bytes


def test_rates_page_counties_by_pages_past_a_province(login, city_user):
    """Past COUNTIES_PER_PAGE counties 整改率 lists one page of them: the same queries and bytes at
    205 and 405 counties, the total still the whole city's."""
    from loudi_portal.views import COUNTIES_PER_PAGE
    from rectification.selectors import clue_rates_by_unit
    from villages.scope import scope_for

    client = login(city_user)
    client.get("/rectification/rates/")  # warm the session
    _add_counties(200)
    cache.clear()
    size, queries = _measure(client, "/rectification/rates/")
    page = client.get("/rectification/rates/").context
    assert len(page["counties"]) == COUNTIES_PER_PAGE == 125 and page["counties_page"].paginator.count == 205
    last = client.get("/rectification/rates/", {"page": 2}).context
    assert len(last["counties"]) == 205 - COUNTIES_PER_PAGE
    # Every county's row is the rule's own, and the total sums every county, not the page's.
    every = clue_rates_by_unit(scope=scope_for(city_user), by="county")
    assert [u["code"] for u in page["counties"] + last["counties"]] == list(every)
    assert page["total"]["clues"] == sum(u["clues"] for u in every.values())
    _add_counties(200, first=201)
    cache.clear()
    more_size, more_queries = _measure(client, "/rectification/rates/")
    assert more_queries == queries
    # The same first page but for the counts ("共 405 个", the pages).
    assert abs(more_size - size) < 100
    # A county picked on page 2 keeps its page; pages keep the county.
    html = client.get("/rectification/rates/", {"county": "970130", "page": 2}).content.decode()
    assert 'href="?county=970130&amp;page=2#townships"' in html and 'href="?county=970130&amp;page=3"' in html
