"""Demo-like income for the dashboard tests: three years for every village, shaped like Loudi's
campaign (2023 average about 9万, most villages ≥ 10万 of 经营性收入 in 2024, a few 百万村, and
新化县 with part of 2024 still unapproved). Deterministic, bulk-inserted."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from assets.models import (
    Asset,
    AssetCategory,
    AssetNature,
    AssetStatus,
    Resource,
    ResourceStatus,
    ResourceType,
    Revitalisation,
)
from incentives.models import CountyTarget, TargetPlan
from rectification.models import Clue, ClueCategory, ClueSource, ClueStatus, OverdueSnapshot
from villages.models import County, IncomeReport, IncomeStatus, Village

YEARS = (2022, 2023, 2024)
LAGGING_COUNTY = "431322"  # 新化县: part of its 2024 reports not yet approved


def _yuan(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def income_reports_build(*, villages=None, years=YEARS, seed: int = 7) -> int:
    """Create the reports (replacing any for these villages and years); return how many."""
    rng = random.Random(seed)
    villages = list((villages if villages is not None else Village.objects.all()).select_related("township__county"))
    IncomeReport.objects.filter(village__in=villages, year__in=years).delete()
    reports = []
    for village in villages:
        u = rng.random()
        if u < 0.015:
            operating_2024 = _yuan(rng, 1_000_000, 3_000_000)
        elif u < 0.07:
            operating_2024 = _yuan(rng, 500_000, 999_999)
        elif u < 0.68:
            operating_2024 = _yuan(rng, 100_000, 499_999)
        else:
            operating_2024 = _yuan(rng, 20_000, 99_999)
        lagging = village.township.county.code == LAGGING_COUNTY
        for year in years:
            factor = {2022: Decimal("0.10"), 2023: Decimal("0.23")}.get(year, Decimal("1"))
            operating = (operating_2024 * factor).quantize(Decimal("0.01"))
            status = IncomeStatus.APPROVED
            if year == max(years) and lagging:
                roll = rng.random()
                if roll < 0.04:
                    continue  # not entered yet
                if roll < 0.10:
                    status = IncomeStatus.DRAFT
                elif roll < 0.18:
                    status = IncomeStatus.SUBMITTED
            if year < 2024:
                contracting = (operating * Decimal("0.3")).quantize(Decimal("0.01"))
                revenue = operating - contracting
            else:
                contracting = Decimal("0.00")
                revenue = operating
            reports.append(
                IncomeReport(
                    village=village,
                    year=year,
                    operating_revenue=revenue,
                    contracting_revenue=contracting,
                    investment_income=Decimal("0.00"),
                    subsidy_income=_yuan(rng, 10_000, 40_000),
                    other_income=_yuan(rng, 0, 10_000),
                    status=status,
                )
            )
    IncomeReport.objects.bulk_create(reports, batch_size=1000)
    return len(reports)


def sanzi_and_clues_build(*, villages=None, seed: int = 11, closer=None) -> dict:
    """A few idle and revitalised assets and resources, and problem clues in every state (some
    overdue), spread over the villages; plus 30 days of overdue snapshots per county."""
    rng = random.Random(seed)
    villages = list((villages if villages is not None else Village.objects.all()).order_by("code"))
    closer = closer or get_user_model().objects.create_user("data-closer", password="x")
    today = timezone.localdate()
    picked = villages[::7]
    assets = [
        Asset(
            village=v,
            code=f"ZC{i:04d}",
            name=rng.choice(["村部旧址", "闲置小学", "烤烟房", "农机库"]),
            nature=AssetNature.OPERATING,
            category=AssetCategory.BUILDING,
            original_value=Decimal(rng.randint(100_000, 900_000)),
            book_value=Decimal(rng.randint(20_000, 100_000)),
            status=AssetStatus.IDLE if i % 3 == 0 else AssetStatus.LEASED,
        )
        for i, v in enumerate(picked)
    ]
    Asset.objects.bulk_create(assets)
    resources = [
        Resource(
            village=v,
            code=f"ZY{i:04d}",
            name=rng.choice(["荒山", "塌陷地", "山塘"]),
            resource_type=ResourceType.WASTE,
            area=Decimal(rng.randint(500, 30_000)) / 100,
            status=ResourceStatus.IDLE if i % 2 == 0 else ResourceStatus.CONTRACTED,
        )
        for i, v in enumerate(picked)
    ]
    Resource.objects.bulk_create(resources)
    revitalisations = [
        Revitalisation(
            village=a.village,
            asset=a,
            revitalised_on=today - timedelta(days=100),
            became="研学基地",
            yearly_income=Decimal(rng.randint(10_000, 100_000)),
        )
        for a in assets
        if a.status == AssetStatus.LEASED
    ] + [
        Revitalisation(
            village=r.village,
            resource=r,
            revitalised_on=today - timedelta(days=50),
            became="辣椒种植",
            yearly_income=Decimal(rng.randint(10_000, 200_000)),
        )
        for r in resources
        if r.status == ResourceStatus.CONTRACTED
    ]
    Revitalisation.objects.bulk_create(revitalisations)
    clues = []
    for i, v in enumerate(villages[::3]):
        status = rng.choice([ClueStatus.CLOSED] * 8 + [ClueStatus.PENDING, ClueStatus.IN_PROGRESS, ClueStatus.AWAITING])
        found = today - timedelta(days=rng.randint(20, 200))
        deadline = found + timedelta(days=rng.randint(10, 120))
        closed = status == ClueStatus.CLOSED
        clues.append(
            Clue(
                code=f"XS{i:06d}",
                source=ClueSource.SELF,
                category=rng.choice(ClueCategory.values),
                village=v,
                description="合同未按期收款",
                amount_involved=Decimal(rng.randint(0, 50_000)),
                responsible_person="张三",
                found_on=found,
                deadline=deadline,
                status=status,
                closed_at=timezone.now() if closed else None,
                closed_by=closer if closed else None,
            )
        )
    Clue.objects.bulk_create(clues)
    snapshots = [
        OverdueSnapshot(county=c, date=today - timedelta(days=d), overdue=rng.randint(5, 40), open=rng.randint(40, 90))
        for c in County.objects.all()
        for d in range(30)
    ]
    OverdueSnapshot.objects.bulk_create(snapshots)
    return {"assets": len(assets), "resources": len(resources), "clues": len(clues)}


# The demo 2024 allocation: county → (count_500k, count_1m).
ALLOCATION_2024 = {
    "431322": (30, 6),
    "431321": (25, 5),
    "431382": (24, 5),
    "431302": (13, 2),
    "431381": (8, 2),
}


def target_plan_build(*, year: int = 2024):
    """The default plan (city 60% / 100 / 20 and the clearing line) with the demo's allocation."""
    plan = TargetPlan.objects.create(year=year)
    counties = {c.code: c for c in County.objects.all()}
    CountyTarget.objects.bulk_create(
        CountyTarget(plan=plan, county=counties[code], count_500k_required=c500, count_1m_required=c1m)
        for code, (c500, c1m) in ALLOCATION_2024.items()
    )
    return plan
