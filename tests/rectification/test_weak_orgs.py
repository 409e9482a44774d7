"""软弱涣散基层党组织: listed with a plan, items closed one by one (对账销号), then closed as a whole."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rectification import services
from rectification.models import WeakOrgStatus, WeakPartyOrganisation
from tests.checks import page_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(reviewer, village, today):
    return services.weak_org_create(
        user=reviewer,
        village=village,
        branch_name=f"中共{village.name}支部委员会",
        year_listed=today.year,
        reasons="班子软弱,集体经济薄弱",
        responsible_leader="区委常委 张某",
        items=[
            services.ItemInput("一名县级领导联点", "区委常委", today + timedelta(days=60)),
            services.ItemInput("选派第一书记", "区委组织部", today + timedelta(days=30)),
        ],
    )


@pytest.mark.parametrize("who", ["clerk", "other_reviewer", "agri_user"])
def test_only_county_or_org_department_lists(request, who, village, today):
    with pytest.raises(PermissionDenied):
        services.weak_org_create(
            user=request.getfixturevalue(who),
            village=village,
            branch_name="x",
            year_listed=today.year,
            reasons="x",
            responsible_leader="x",
        )


def test_listed_once_per_year(organisation, reviewer, village, today):
    with pytest.raises(ValidationError, match="已列入整顿"):
        services.weak_org_create(
            user=reviewer, village=village, branch_name="x", year_listed=today.year, reasons="x", responsible_leader="x"
        )


def test_items_closed_one_by_one_then_the_whole(organisation, reviewer, clerk):
    first, second = organisation.items.order_by("number")
    with pytest.raises(ValidationError, match="未销号"):
        services.weak_org_close(organisation=organisation, user=reviewer)
    with pytest.raises(ValidationError, match="尚未填报进展"):
        services.rectification_item_close(item=first, user=reviewer)
    services.rectification_item_progress(item=first, user=clerk, progress="县级领导已联点 3 次")
    with pytest.raises(PermissionDenied):
        services.rectification_item_close(item=first, user=clerk)
    services.rectification_item_close(item=first, user=reviewer, note="对账一致")
    with pytest.raises(ValidationError, match="第 2 项"):
        services.weak_org_close(organisation=organisation, user=reviewer)
    services.rectification_item_progress(item=second, user=reviewer, progress="第一书记已到岗")
    services.rectification_item_close(item=second, user=reviewer)
    org = services.weak_org_close(organisation=organisation, user=reviewer, note="整顿合格")
    assert org.status == WeakOrgStatus.CLOSED and org.closed_by == reviewer
    with pytest.raises(ValidationError):
        services.rectification_item_add(
            organisation=org, user=reviewer, item=services.ItemInput("x", "y", org.created_at.date())
        )
    assert [h.history_change_reason for h in org.history.order_by("history_date")] == [
        "列入软弱涣散基层党组织",
        "整体销号",
    ]


def test_an_empty_plan_cannot_be_closed(reviewer, village, today):
    org = services.weak_org_create(
        user=reviewer, village=village, branch_name="x", year_listed=today.year, reasons="x", responsible_leader="x"
    )
    with pytest.raises(ValidationError, match="还没有整顿事项"):
        services.weak_org_close(organisation=org, user=reviewer)


def test_other_county_cannot_touch_it(organisation, other_reviewer, other_clerk):
    item = organisation.items.first()
    with pytest.raises(PermissionDenied):
        services.rectification_item_progress(item=item, user=other_clerk, progress="x")
    with pytest.raises(PermissionDenied):
        services.weak_org_close(organisation=organisation, user=other_reviewer)


def test_pages(login, reviewer, clerk, other_clerk, city_user, organisation, village, today):
    page_refused(login(other_clerk).get(reverse("rectification:weak_org_detail", args=[organisation.pk])), 404)
    page = login(clerk).get(reverse("rectification:weak_org_detail", args=[organisation.pk]))
    assert page.status_code == 200 and page.context["can_report"] and not page.context["can_manage"]
    listing = login(city_user).get(reverse("rectification:weak_org_list"), {"county": "431302"})
    assert listing.context["paginator"].count == 1
    row = listing.context["object_list"][0]
    assert (row.item_count, row.closed_item_count) == (2, 0)
    client = login(reviewer)
    response = client.post(
        reverse("rectification:weak_org_create"),
        {
            "village": village.township.villages.exclude(pk=village.pk).first().code,
            "branch_name": "中共某村支部委员会",
            "year_listed": today.year,
            "reasons": "软弱",
            "responsible_leader": "李某",
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-measure": "一名乡镇领导包村",
            "form-0-responsible": "镇党委书记",
            "form-0-deadline": today.isoformat(),
            "form-1-measure": "",
            "form-1-responsible": "",
            "form-1-deadline": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = WeakPartyOrganisation.objects.exclude(pk=organisation.pk).get()
    assert created.items.count() == 1


def test_detail_shows_every_step(login, organisation, reviewer, clerk):
    item = organisation.items.order_by("number").first()
    services.rectification_item_progress(item=item, user=clerk, progress="已联点")
    services.rectification_item_close(item=item, user=reviewer)
    page = login(reviewer).get(reverse("rectification:weak_org_detail", args=[organisation.pk]))
    reasons = [step["reason"] for step in page.context["history"]]
    assert reasons[0] == "列入软弱涣散基层党组织"
    assert "第 1 项:填报进展" in reasons and reasons[-1] == "第 1 项:对账销号"
    assert page.context["closed_items"] == 1
