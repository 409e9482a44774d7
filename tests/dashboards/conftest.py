import pytest
from django.db import connection

from villages.models import IncomeReport, Village
from villages.services import divisions_load

from .data import income_reports_build, sanzi_and_clues_build, target_plan_build


@pytest.fixture(scope="module")
def income_rows(django_db_setup, django_db_blocker):
    """Three years of demo-like income for all 2,107 villages, written once per test module and
    removed after it (6,300 reports per test would cost two seconds each). Tests still run in
    transactions, so what one test changes is rolled back before the next."""
    with django_db_blocker.unblock():
        if not Village.objects.exists():
            divisions_load()
        income_reports_build()
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # Plain SQL: the ORM would write each deletion into the audit history.
        cursor.execute(f"DELETE FROM {IncomeReport._meta.db_table}")


@pytest.fixture
def income_data(income_rows, divisions):
    return divisions


@pytest.fixture
def full_data(income_data):
    """Income, 三资 and clues."""
    sanzi_and_clues_build()
    return income_data


@pytest.fixture
def plan_2024(divisions):
    return target_plan_build(year=2024)
