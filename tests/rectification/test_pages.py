"""The browser pages as each role uses them: lists, detail, forms for each step, rates."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectification import services
from rectification.models import Clue, ClueStatus, Inspection, InspectionKind
from tests.checks import page_refused

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db


def queries(client, url, data=None):
    client.get(url, data or {})  # warm up: process-wide caches (content types) are not the page's cost
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200, response.content.decode()[:500]
    return len(ctx)


def computed_queries(client, url):
    """The queries of a page whose figures are computed, not read from the cache."""
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_new_users_story(login, reviewer, clerk, city_user, village, today):
    """A county inspector records an unannounced visit and two clues; the clerk rectifies one with
    evidence and asks for acceptance; the county rejects it once, then closes it; rates follow."""
    county = login(reviewer)
    response = county.post(
        reverse("rectification:inspection_create"),
        {
            "kind": InspectionKind.UNANNOUNCED,
            "date": (today - timedelta(days=1)).isoformat(),
            "unit": "娄星区委组织部暗访组",
            "county": "431302",
            "townships": [village.township.pk],
            "village_codes": "",
            "findings": "暗访乐坪街道,发现合同、账务问题。",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "rectification:inspection_detail", args=[inspection.pk]
    )
    form_page = county.get(reverse("rectification:clue_create"), {"inspection": inspection.pk})
    assert form_page.status_code == 200
    # Only the villages the visit covered are offered.
    assert set(form_page.context["form"].fields["village"].queryset.values_list("township__code", flat=True)) == {
        "431302001"
    }
    for description, category in (("鱼塘租金两年未收", "contract"), ("白条入账 5 笔", "finance")):
        response = county.post(
            reverse("rectification:clue_create") + f"?inspection={inspection.pk}",
            {
                "source": "unannounced",
                "inspection": inspection.pk,
                "village": village.code,
                "category": category,
                "description": description,
                "amount_involved": "8000.00",
                "responsible_person": "村支书",
                "found_on": (today - timedelta(days=1)).isoformat(),
                "deadline": (today + timedelta(days=30)).isoformat(),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Clue.objects.filter(inspection=inspection).count() == 2
    clue = Clue.objects.get(description="鱼塘租金两年未收")

    rates = login(city_user).get(reverse("rectification:rates")).context["total"]
    assert (rates["clues"], rates["closed"], rates["rate"]) == (2, 0, 0)

    town = login(clerk)
    detail = town.get(reverse("rectification:clue_detail", args=[clue.pk]))
    assert detail.context["actions"]["start"] and not detail.context["actions"]["verify"]
    assert town.post(reverse("rectification:clue_start", args=[clue.pk]), {"measures": "约谈承包户"}).status_code == 302
    assert (
        town.post(
            reverse("rectification:clue_evidence_add", args=[clue.pk]), {"file": upload("收据.pdf", PDF)}
        ).status_code
        == 302
    )
    response = town.post(
        reverse("rectification:clue_request", args=[clue.pk]), {"measures": "已收回租金", "amount_recovered": "8000"}
    )
    assert response.status_code == 302
    county = login(reviewer)
    detail = county.get(reverse("rectification:clue_detail", args=[clue.pk]))
    assert detail.context["actions"]["verify"]
    refused = county.post(reverse("rectification:clue_reject", args=[clue.pk]), {"reason": ""})
    assert refused.status_code == 400 and "退回原因" in refused.content.decode()
    assert (
        county.post(reverse("rectification:clue_reject", args=[clue.pk]), {"reason": "缺少银行回单"}).status_code == 302
    )
    town = login(clerk)
    assert (
        town.post(reverse("rectification:clue_request", args=[clue.pk]), {"measures": "补充银行回单"}).status_code
        == 302
    )
    county = login(reviewer)
    assert county.post(reverse("rectification:clue_close", args=[clue.pk]), {"note": "核实到位"}).status_code == 302
    clue.refresh_from_db()
    assert (clue.status, clue.rejection_count, clue.closed_by) == (ClueStatus.CLOSED, 1, reviewer)

    page = county.get(reverse("rectification:clue_detail", args=[clue.pk]))
    text = page.content.decode()
    assert "退回整改:缺少银行回单" in text and "验收销号" in text and "只读" in text
    assert not any(page.context["actions"].values())
    rates = login(city_user).get(reverse("rectification:rates")).context
    assert (rates["total"]["clues"], rates["total"]["closed"], str(rates["total"]["rate"])) == (2, 1, "0.5000")
    county_row = next(r for r in rates["counties"] if r["code"] == "431302")
    assert (county_row["clues"], county_row["closed"], county_row["amount_recovered"]) == (2, 1, clue.amount_recovered)


def test_clerk_cannot_post_a_reviewers_step(login, clerk, awaiting_clue):
    response = login(clerk).post(reverse("rectification:clue_close", args=[awaiting_clue.pk]), {"note": ""})
    assert response.status_code == 403
    awaiting_clue.refresh_from_db()
    assert awaiting_clue.status == ClueStatus.AWAITING


def test_request_without_evidence_shows_the_reason(login, clerk, started_clue):
    response = login(clerk).post(reverse("rectification:clue_request", args=[started_clue.pk]), {"measures": "x"})
    assert response.status_code == 400
    assert "至少上传一份整改佐证材料" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("clerk", 200), ("reviewer", 200), ("city_user", 200), ("other_clerk", 404), ("other_reviewer", 404)],
)
def test_clue_detail_scope(request, login, clue, who, status):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("rectification:clue_detail", args=[clue.pk]))
    if status == 404:
        page_refused(response, 404, hides=[clue.code, clue.description])
    else:
        assert response.status_code == 200
        assert clue.code in response.content.decode() and clue.description in response.content.decode()


def test_posting_to_a_clue_outside_scope_is_404(login, other_clerk, clue):
    response = login(other_clerk).post(reverse("rectification:clue_start", args=[clue.pk]), {"measures": "约谈"})
    page_refused(response, 404, hides=[clue.code, clue.description])
    clue.refresh_from_db()
    assert (clue.status, clue.started_by, clue.measures) == (ClueStatus.PENDING, None, "")
    assert clue.history.count() == 1  # only its creation


def test_clue_list_filters(login, reviewer, make_clue, village, neighbour_village, today):
    make_clue()
    make_clue(village_=neighbour_village, category="finance")
    late = make_clue(deadline=today)
    Clue.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=1), found_on=today - timedelta(days=5))
    client = login(reviewer)

    def count(**params):
        return client.get(reverse("rectification:clue_list"), params).context["paginator"].count

    assert count() == 3
    assert count(township="431302001") == 2
    assert count(village=neighbour_village.code) == 1
    assert count(category="finance") == 1
    assert count(status="pending") == 3
    assert count(overdue="1") == 1
    assert count(overdue="0") == 2
    assert count(open="1") == 3 and count(open="0") == 0
    assert count(county="431302") == 3
    assert count(county="431322") == 0  # outside the scope: an invalid choice lists nothing


def test_clue_list_query_count_is_fixed(login, city_user, make_clue, neighbour_village):
    client = login(city_user)
    make_clue()
    few = queries(client, reverse("rectification:clue_list"))
    for _ in range(12):
        make_clue(village_=neighbour_village)
    # No query for the county and township pickers; one for the header's unread notifications.
    assert queries(client, reverse("rectification:clue_list")) == few == 6


def test_rates_page_query_count_is_fixed(login, city_user, reviewer, make_clue, neighbour_village, closed_clue):
    client = login(city_user)
    url = reverse("rectification:rates")
    few = computed_queries(client, url)
    for _ in range(8):
        make_clue(village_=neighbour_village)
    # 8 (the city's total is the sum of its counties, no township table), and the header's unread notifications
    assert computed_queries(client, url) == few == 9
    # One county opened: the county, its townships and their aggregate
    assert computed_queries(client, url + "?county=431302") == 12
    assert computed_queries(login(reviewer), url) <= 12


def test_city_rates_are_cached_until_a_clue_changes(login, city_user, clerk, make_clue, neighbour_village):
    make_clue()
    client = login(city_user)
    url = reverse("rectification:rates")
    assert client.get(url).context["total"]["clues"] == 1
    # Read again from the cache: not the counties nor the clues' two aggregates.
    assert queries(client, url) == 9 - 3
    make_clue(village_=neighbour_village)
    assert client.get(url).context["total"]["clues"] == 2
    # A clerk's own figures are never read from the city's.
    assert login(clerk).get(url).context["total"]["clues"] == 1


def test_after_a_write_the_city_gets_the_last_rates_while_a_task_computes_them(
    login, city_user, make_clue, neighbour_village, settings, monkeypatch
):
    from loudi_portal import data_versions
    from rectification import tasks

    settings.FIGURES_RECOMPUTED_BY_WORKER = True  # a worker computes them
    queued = []
    monkeypatch.setattr(data_versions, "_queue", lambda name, kwargs: queued.append(kwargs))
    make_clue()
    client = login(city_user)
    url = reverse("rectification:rates")
    assert client.get(url).context["total"]["clues"] == 1
    make_clue(village_=neighbour_village)
    page = client.get(url)
    # The last figures, saying when they were computed and that new ones are on their way.
    assert page.context["total"]["clues"] == 1 and page.context["recomputing"] and queued == [{"county_id": None}]
    assert "正在重新汇总" in page.content.decode()
    tasks.city_rates_recompute(**queued[0])  # the worker
    page = client.get(url)
    assert page.context["total"]["clues"] == 2 and not page.context.get("recomputing")
    assert "正在重新汇总" not in page.content.decode()


def test_rates_page_per_role(login, clerk, reviewer, city_user, closed_clue, make_clue, neighbour_village):
    make_clue(village_=neighbour_village)
    client = login(city_user)
    city = client.get(reverse("rectification:rates")).context
    # The city reads by county and opens one county's townships at a time.
    assert len(city["counties"]) == 5 and city["townships"] is None
    assert city["total"]["clues"] == 2 and str(city["total"]["rate"]) == "0.5000"
    assert city["total"]["clues"] == sum(c["clues"] for c in city["counties"])
    opened = client.get(reverse("rectification:rates"), {"county": "431302"})
    assert opened.context["county"].code == "431302" and len(opened.context["townships"]) == 13
    assert {t["code"] for t in opened.context["townships"] if t["clues"]} == {
        closed_clue.village.township.code,
        neighbour_village.township.code,
    }
    assert "返回按县市区" in opened.content.decode()
    page_refused(client.get(reverse("rectification:rates"), {"county": "999999"}), 404)
    county = login(reviewer).get(reverse("rectification:rates")).context
    assert county["counties"] is None and len(county["townships"]) == 13
    town = login(clerk).get(reverse("rectification:rates")).context
    assert [t["code"] for t in town["townships"]] == ["431302001"]
    assert (town["total"]["clues"], town["total"]["closed"]) == (1, 1)


# Each page's heading; the lists and rates name the unit the user sees.
HEADINGS = {
    "clue_list": ("问题线索", True),
    "clue_create": ("登记问题线索", False),
    "clue_import": ("Excel 导入问题线索清单", False),
    "rates": ("问题线索整改率", True),
    "inspection_list": ("检查记录", True),
    "inspection_create": ("登记检查(督查检查、暗访、自查自纠)", False),
    "campaign_list": ("自查自纠", True),
    "weak_org_list": ("软弱涣散基层党组织整顿", True),
}
UNITS = {"clerk": "娄星区乐坪街道", "reviewer": "娄星区", "city_user": "娄底市"}


@pytest.mark.parametrize("url_name", list(HEADINGS))
@pytest.mark.parametrize("who", list(UNITS))
def test_pages_open_for_each_role(request, login, who, url_name):
    response = login(request.getfixturevalue(who)).get(reverse(f"rectification:{url_name}"))
    assert response.status_code == 200
    heading, names_unit = HEADINGS[url_name]
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()
    assert h1 == (f"{heading} · {UNITS[who]}" if names_unit else heading)


@pytest.mark.parametrize(
    ("url_name", "reason"),
    [
        ("weak_org_create", "只有县级审核员或市委组织部可以确定软弱涣散党组织。"),
        ("campaign_create", "只有市委组织部可以部署自查自纠工作。"),
    ],
)
def test_clerk_is_refused_the_countys_forms(login, clerk, url_name, reason):
    page_refused(login(clerk).get(reverse(f"rectification:{url_name}")), 403, reason=reason)


def test_menu_lists_the_pages(login, clerk):
    text = login(clerk).get(reverse("home")).content.decode()
    for label in ("问题线索", "检查记录", "自查自纠", "整改率", "软弱涣散党组织"):
        assert label in text


def test_clerks_clue_form_offers_self_inspection_only(login, clerk):
    form = login(clerk).get(reverse("rectification:clue_create")).context["form"]
    assert [c[0] for c in form.fields["source"].choices] == ["self"]
    assert form.fields["village"].queryset.count() == 12


def test_inspection_outside_scope_is_404(login, other_reviewer, inspection):
    response = login(other_reviewer).get(reverse("rectification:inspection_detail", args=[inspection.pk]))
    page_refused(response, 404, hides=[inspection.code, inspection.unit, inspection.findings])


def test_clerk_sees_an_inspection_of_the_county_and_only_own_clues(
    login, clerk, inspection, make_clue, neighbour_village
):
    make_clue()
    make_clue(village_=neighbour_village)
    page = login(clerk).get(reverse("rectification:inspection_detail", args=[inspection.pk]))
    assert page.status_code == 200 and len(page.context["clues"]) == 1
    listing = login(clerk).get(reverse("rectification:inspection_list"))
    assert [i.clue_count for i in listing.context["object_list"]] == [1]


def test_inspection_list_counts_clues_per_row_without_joining_them(
    login, reviewer, city_user, inspection, make_clue, neighbour_village, today
):
    """Each inspection's clue count is its own, and no query of the list joins the clues table to
    the inspections: the count is a subquery per listed row, so neither the page nor its total
    counts every clue of every inspection (most of a second at national size)."""
    second = services.inspection_create(
        user=reviewer,
        kind=InspectionKind.UNANNOUNCED,
        date=today - timedelta(days=1),
        unit="娄星区纪委监委",
        county=inspection.county,
        findings="再次暗访",
    )
    make_clue()
    make_clue(village_=neighbour_village)
    make_clue(inspection_=second)
    client = login(city_user)
    url = reverse("rectification:inspection_list")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        listing = client.get(url)
    counts = {i.pk: i.clue_count for i in listing.context["object_list"]}
    assert counts == {inspection.pk: 2, second.pk: 1}
    joins = [q["sql"] for q in ctx.captured_queries if re.search(r'JOIN "rectification_clue"', q["sql"])]
    assert joins == []
    # The total is of inspections alone.
    assert any(q["sql"] == 'SELECT COUNT(*) AS "__count" FROM "rectification_inspection"' for q in ctx.captured_queries)


def test_inspection_county_cannot_be_widened(login, reviewer, today):
    response = login(reviewer).post(
        reverse("rectification:inspection_create"),
        {"kind": "supervision", "date": today.isoformat(), "unit": "x", "county": "431322", "village_codes": ""},
    )
    assert response.status_code == 200 and "county" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_inspection_update(login, reviewer, inspection, village, today):
    response = login(reviewer).post(
        reverse("rectification:inspection_update", args=[inspection.pk]),
        {
            "date": inspection.date.isoformat(),
            "unit": "改名后的暗访组",
            "findings": "补充",
            "village_codes": village.code,
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.unit == "改名后的暗访组"
    assert list(inspection.villages.all()) == [village]


def test_a_bulk_loaded_clue_still_shows_its_steps(login, reviewer, clerk, closed_clue):
    """Demo clues are inserted in bulk without history rows: the record falls back on the clue's fields."""
    closed_clue.history.all().delete()
    page = login(reviewer).get(reverse("rectification:clue_detail", args=[closed_clue.pk]))
    assert [step["reason"] for step in page.context["history"]] == ["登记线索", "开始整改", "申请验收", "验收销号"]
    assert page.context["history"][-1]["user"] == reviewer
