"""bench_data: synthetic villages beside Loudi's, each with a copy of a Loudi village's data (PostgreSQL only)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from incentives.models import CountyTarget, TargetPlan
from incentives.services import plan_snapshot
from loudi_portal.bench_data import SYNTHETIC_PREFIX, bench_data_build, synthetic_divisions
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
