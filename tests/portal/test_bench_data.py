"""bench_data: synthetic villages beside Loudi's, each with a copy of a Loudi village's data (PostgreSQL only)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from incentives.models import CountyTarget, TargetPlan
from incentives.services import plan_snapshot
from loudi_portal.bench_data import SYNTHETIC_PREFIX, bench_data_build, division_counts, synthetic_divisions
from rectification.models import Clue
from villages.models import County, IncomeReport, Village

PG_ONLY = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL")


def test_synthetic_divisions_depend_only_on_the_seed():
    args = {"villages": 5000, "templates": list(range(1, 2108)), "existing": (5, 89, 2107), "first_ids": (6, 90, 2108)}
    first = synthetic_divisions(seed=1, **args)
    assert synthetic_divisions(seed=1, **args) == first
    assert synthetic_divisions(seed=2, **args) != first
    counties, townships, villages, mapping = first
    assert len(villages) == len(mapping) == 5000 - 2107
    codes = [v[2] for v in villages]
    assert len(set(codes)) == len(codes) and all(len(c) == 12 and c.startswith(SYNTHETIC_PREFIX) for c in codes)
    # Every template village is copied before any is copied twice.
    assert {m[1] for m in mapping[:2107]} == set(range(1, 2108))


def test_division_counts_give_hunan_and_the_country_their_shapes():
    # Hunan as it has been generated; the country as the issue asks (38,000 townships, 2,850 counties).
    assert division_counts(25888) == (1904, 121)
    assert division_counts(500000) == (38000, 2850)
    # Between them a straight line, beyond them the nearest shape's ratios.
    assert division_counts(262944) == (19952, 1486)
    assert division_counts(12944) == (952, 60)
    assert division_counts(1000000) == (76000, 5700)


def test_synthetic_divisions_at_national_size_have_the_national_shape():
    counties, townships, villages, _ = synthetic_divisions(
        villages=500000, seed=2024, templates=list(range(1, 2108)), existing=(5, 89, 2107), first_ids=(6, 90, 2108)
    )
    assert (len(counties) + 5, len(townships) + 89, len(villages) + 2107) == (2850, 38000, 500000)
    codes = [t[2] for t in townships]
    assert len(set(codes)) == len(codes)


@PG_ONLY
@pytest.mark.django_db
def test_bench_data_adds_villages_with_copied_data_and_targets():
    call_command("seed_demo", stdout=io.StringIO())
    loudi = Village.objects.count()
    built = bench_data_build(villages=loudi + 300, seed=7, log=lambda _: None)
    assert built.villages == loudi + 300 and not built.reused
    synthetic = Village.objects.filter(code__startswith=SYNTHETIC_PREFIX)
    assert synthetic.count() == 300
    # Three years of reports per synthetic village, and clues coded like real ones.
    assert IncomeReport.objects.filter(village__in=synthetic).count() == 900
    assert Clue.objects.filter(village__in=synthetic).exists()
    assert not Clue.objects.filter(village__in=synthetic).exclude(code__startswith="XS9").exists()
    # Every county has its targets, so an acceptance can run.
    plan = TargetPlan.objects.get(year=2024)
    assert CountyTarget.objects.filter(plan=plan).count() == County.objects.count()
    assert len(plan_snapshot(plan)["counties"]) == County.objects.count()
    # Asking again for the same size reuses the data.
    assert bench_data_build(villages=loudi + 300, seed=7, log=lambda _: None).reused
