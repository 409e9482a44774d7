"""/api/reporting-periods/ (read in scope, write for the city) and /api/notifications/ (own only)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.checks import api_refused
from villages import services
from villages.models import Notification, ReportingPeriod

pytestmark = pytest.mark.django_db

PERIODS = "/api/reporting-periods/"
NOTES = "/api/notifications/"


def _dates(days_left=30):
    today = timezone.localdate()
    return {
        "opens_on": str(today - timedelta(days=10)),
        "entry_deadline": str(today + timedelta(days=days_left)),
        "review_deadline": str(today + timedelta(days=days_left + 15)),
    }


def test_everyone_in_scope_reads_the_periods(api_login, clerk, reviewer, open_period, client):
    open_period(2025, days_left=9)
    for user in (clerk, reviewer):
        rows = api_login(user).get(PERIODS).json()["results"]
        assert [(r["year"], r["state"], r["state_label"], r["days_left"]) for r in rows] == [
            (2025, "open", "填报中", 9)
        ]
    api_refused(client.get(PERIODS), 403)


def test_only_the_city_writes_and_a_change_needs_a_reason(api_login, city_user, reviewer):
    api_refused(api_login(reviewer).post(PERIODS, {"year": 2025, **_dates()}, format="json"), 403)
    assert not ReportingPeriod.objects.exists()
    api = api_login(city_user)
    created = api.post(PERIODS, {"year": 2025, **_dates()}, format="json")
    assert created.status_code == 201 and created.json()["state"] == "open"
    refused = api.patch(f"{PERIODS}2025/", {"entry_deadline": _dates(40)["entry_deadline"]}, format="json")
    assert refused.status_code == 400 and "原因" in str(refused.json())
    extended = api.patch(
        f"{PERIODS}2025/", {"entry_deadline": _dates(40)["entry_deadline"], "reason": "系统故障顺延"}, format="json"
    )
    assert extended.status_code == 200 and extended.json()["days_left"] == 40
    assert ReportingPeriod.objects.get().history.first().history_change_reason == "延期:系统故障顺延"
    bad = api.post(PERIODS, {"year": 2026, **_dates(), "review_deadline": "2000-01-01"}, format="json")
    assert bad.status_code == 400 and "审核截止日期不能早于填报截止日期" in str(bad.json())
    api_refused(api_login(reviewer).patch(f"{PERIODS}2025/", {"reason": "x"}, format="json"), 403)


def test_notifications_are_the_users_own_and_can_be_marked_read(api_login, clerk, other_clerk, reviewer, open_period):
    open_period(2025)
    services.income_urge_township(user=reviewer, township=clerk.official.township, year=2025)
    mine = api_login(clerk).get(NOTES).json()["results"]
    assert len(mine) == 1 and mine[0]["kind"] == "urge" and not mine[0]["read"]
    assert mine[0]["sender"] == reviewer.first_name
    other = api_login(other_clerk)
    assert other.get(NOTES).json()["results"] == []
    assert other.post(f"{NOTES}{mine[0]['id']}/read/").status_code == 404
    assert Notification.objects.get().read_at is None
    done = api_login(clerk).post(f"{NOTES}{mine[0]['id']}/read/")
    assert done.status_code == 200 and done.json()["read"]
    assert api_login(clerk).get(NOTES, {"unread": 1}).json()["results"] == []
    assert api_login(clerk).post(f"{NOTES}read-all/").json() == {"marked": 0}
