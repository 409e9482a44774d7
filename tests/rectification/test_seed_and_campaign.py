"""The demo reproduces the seed's figures; a campaign's self-inspection completion rate."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rectification import demo, selectors, services
from rectification.models import (
    Clue,
    ClueCategory,
    ClueEvidence,
    ClueStatus,
    Inspection,
    InspectionKind,
    OverdueSnapshot,
    SelfInspection,
    WeakPartyOrganisation,
)
from villages.demo import seed_accounts
from villages.scope import scope_for

pytestmark = pytest.mark.django_db


def test_seed_reproduces_the_campaign(divisions, city_user):
    seed_accounts()
    # How long it takes is a figure of `make bench`, not a pass/fail limit here.
    demo.seed(stdout=None)
    scope = scope_for(city_user)
    assert selectors.inspection_counts(scope=scope) == {"supervision": 222, "unannounced": 121, "self": 0}
    total = selectors.clue_rates_by_unit(scope=scope, by="city")["431300"]
    assert (total["clues"], total["closed"], str(total["rate"])) == (8147, 7634, "0.9370")
    assert 0 < total["overdue"] < total["open"]
    assert total["amount_involved"] > 0 and 0 < total["amount_recovered"] < total["amount_involved"]
    counties = selectors.clue_rates_by_unit(scope=scope, by="county")
    assert len(counties) == 5 and all(c["clues"] > 0 and c["overdue"] > 0 for c in counties.values())
    assert {c["code"] for c in selectors.clue_counts_by_category(scope=scope) if c["clues"]} == set(ClueCategory.values)
    campaign = selectors.campaign_list().get()
    rate = selectors.self_inspection_rates(campaign=campaign, scope=scope, by="city")["431300"]
    assert (rate["villages"], rate["done"], rate["rate"]) == (2107, 2107, 1)
    assert WeakPartyOrganisation.objects.count() == 53
    assert all(o.items.count() == 6 for o in WeakPartyOrganisation.objects.all()[:5])
    # Every clue that asked for acceptance carries evidence; closed ones have who and when.
    assert (
        ClueEvidence.objects.values("clue").distinct().count()
        == Clue.objects.filter(status__in=[ClueStatus.AWAITING, ClueStatus.CLOSED]).count()
    )
    assert not Clue.objects.filter(status=ClueStatus.CLOSED, closed_by__isnull=True).exists()
    assert OverdueSnapshot.objects.count() == 150

    # Idempotent: a second run inserts nothing.
    counts = [
        m.objects.count()
        for m in (Inspection, Clue, ClueEvidence, SelfInspection, WeakPartyOrganisation, OverdueSnapshot)
    ]
    assert "线索 0 条" in demo.seed(stdout=None)
    assert counts == [
        m.objects.count()
        for m in (Inspection, Clue, ClueEvidence, SelfInspection, WeakPartyOrganisation, OverdueSnapshot)
    ]


@pytest.fixture
def campaign(city_user, today):
    return services.campaign_create(user=city_user, name="三资自查", year=today.year, started_on=today, deadline=today)


def test_campaign_gives_every_village_a_record(campaign, city_user):
    rate = selectors.self_inspection_rates(campaign=campaign, scope=scope_for(city_user), by="city")["431300"]
    assert (rate["villages"], rate["done"], rate["rate"]) == (2107, 0, 0)


def test_clerk_completes_own_villages_and_the_rate_moves(campaign, clerk, other_clerk, reviewer, village):
    record = SelfInspection.objects.get(campaign=campaign, village=village)
    with pytest.raises(PermissionDenied):
        services.self_inspection_complete(record=record, user=other_clerk, summary="x")
    with pytest.raises(ValidationError):
        services.self_inspection_complete(record=record, user=clerk, summary=" ")
    services.self_inspection_complete(record=record, user=clerk, summary="已自查,发现 2 个问题")
    with pytest.raises(ValidationError, match="已完成"):
        services.self_inspection_complete(record=record, user=clerk, summary="again")
    township = selectors.self_inspection_rates(campaign=campaign, scope=scope_for(reviewer), by="township")["431302001"]
    assert (township["villages"], township["done"], str(township["rate"])) == (12, 1, "0.0833")


def test_campaign_page(login, clerk, city_user, campaign, village):
    record = SelfInspection.objects.get(campaign=campaign, village=village)
    client = login(clerk)
    page = client.get(reverse("rectification:campaign_detail", args=[campaign.pk]))
    assert len(page.context["records"]) == 12 and len(page.context["units"]) == 1
    client.post(reverse("rectification:self_inspection_complete", args=[record.pk]), {"summary": "完成"})
    record.refresh_from_db()
    assert record.status == "done"
    city = login(city_user).get(reverse("rectification:campaign_list"))
    assert city.context["campaigns"][0].figures["done"] == 1


def test_clerk_records_own_self_inspection_only(clerk, divisions, today):
    from villages.models import County, Township

    lp = Township.objects.get(code="431302001")
    inspection = services.inspection_create(
        user=clerk, kind=InspectionKind.SELF, date=today, unit="乐坪街道", county=County.objects.get(code="431302")
    )
    assert list(inspection.townships.all()) == [lp]
    with pytest.raises(PermissionDenied):
        services.inspection_create(
            user=clerk, kind=InspectionKind.SUPERVISION, date=today, unit="x", county=County.objects.get(code="431302")
        )
