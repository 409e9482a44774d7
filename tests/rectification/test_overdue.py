"""Overdue clues, the daily beat task recording each county's count, and the trend."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.conf import settings

from loudi_portal import clock
from rectification import selectors, services, tasks
from rectification.models import Clue, OverdueSnapshot
from rectification.selectors import SHANGHAI
from villages.scope import scope_for

pytestmark = pytest.mark.django_db


def make_late(clue, *, days_late: int):
    Clue.objects.filter(pk=clue.pk).update(
        found_on=clue.found_on - timedelta(days=days_late + 10),
        deadline=clock.today() - timedelta(days=days_late),
    )
    clue.refresh_from_db()
    return clue


def test_overdue_is_past_the_deadline_and_not_closed(make_clue, today, city_user, neighbour_village):
    on_time = make_clue(deadline=today)  # due today: not yet overdue
    late = make_late(make_clue(village_=neighbour_village), days_late=1)
    listing = {c.pk: c.overdue for c in selectors.clue_list(scope=scope_for(city_user))}
    assert listing == {on_time.pk: False, late.pk: True}
    assert late.is_overdue() and not on_time.is_overdue()
    rates = selectors.clue_rates_by_unit(scope=scope_for(city_user), by="city")["431300"]
    assert rates["overdue"] == 1


def test_closed_clue_is_never_overdue(closed_clue, city_user):
    make_late(closed_clue, days_late=5)
    assert not selectors.clue_list(scope=scope_for(city_user)).get().overdue


def test_today_is_shanghais(settings):
    # 2024-05-31 18:30 UTC is already 1 June in Loudi, whatever zone the server runs in.
    settings.TIME_ZONE = "UTC"
    with mock.patch("django.utils.timezone.now", return_value=datetime(2024, 5, 31, 18, 30, tzinfo=UTC)):
        assert clock.today().isoformat() == "2024-06-01"


def test_snapshot_records_every_county_once_a_day(make_clue, neighbour_village, today, reviewer):
    make_late(make_clue(), days_late=2)
    make_late(make_clue(village_=neighbour_village), days_late=1)
    make_clue()
    assert tasks.overdue_snapshot_record.delay().get() == 5
    snapshots = {s.county.code: (s.overdue, s.open) for s in OverdueSnapshot.objects.filter(date=today)}
    assert snapshots == {"431302": (2, 3), "431321": (0, 0), "431322": (0, 0), "431381": (0, 0), "431382": (0, 0)}
    # Running it again the same day changes nothing, even after the figures moved.
    make_late(make_clue(), days_late=3)
    recorded_at = list(OverdueSnapshot.objects.values_list("recorded_at", flat=True))
    assert tasks.overdue_snapshot_record.delay().get() == 0
    assert OverdueSnapshot.objects.count() == 5
    assert OverdueSnapshot.objects.get(county__code="431302", date=today).overdue == 2
    assert list(OverdueSnapshot.objects.values_list("recorded_at", flat=True)) == recorded_at


def test_past_days_are_reconstructed_from_the_clues(awaiting_clue, reviewer, today):
    """On a past day a clue counts if it was found by then and not yet closed."""
    Clue.objects.filter(pk=awaiting_clue.pk).update(
        found_on=today - timedelta(days=20), deadline=today - timedelta(days=10)
    )
    clue = services.clue_close(clue=awaiting_clue, user=reviewer)
    Clue.objects.filter(pk=clue.pk).update(
        closed_at=datetime.combine(today - timedelta(days=2), time(10), tzinfo=SHANGHAI)
    )
    county = clue.village.township.county_id
    counts = lambda d: selectors.overdue_counts_on(day=d).get(county, {"open": 0, "overdue": 0})  # noqa: E731
    assert counts(today - timedelta(days=25)) == {"open": 0, "overdue": 0}  # not found yet
    assert (counts(today - timedelta(days=15))["open"], counts(today - timedelta(days=15))["overdue"]) == (1, 0)
    assert (counts(today - timedelta(days=5))["open"], counts(today - timedelta(days=5))["overdue"]) == (1, 1)
    assert counts(today - timedelta(days=2)) == {"open": 0, "overdue": 0}  # closed that day
    assert counts(today) == {"open": 0, "overdue": 0}


def test_trend_follows_the_scope(make_clue, today, city_user, reviewer, clerk):
    make_late(make_clue(), days_late=3)
    for n in range(3):
        services.overdue_snapshot_record(day=today - timedelta(days=n))
    city = selectors.overdue_trend(scope=scope_for(city_user), days=30)
    assert len(city) == 15
    county = selectors.overdue_trend(scope=scope_for(reviewer), days=2)
    assert [(p["date"], p["county_code"], p["overdue"]) for p in county] == [
        (today - timedelta(days=1), "431302", 1),
        (today, "431302", 1),
    ]
    assert selectors.overdue_trend(scope=scope_for(clerk)) == []


def test_beat_schedule_names_the_task():
    from loudi_portal.celery import app

    app.loader.import_default_modules()
    name = settings.CELERY_BEAT_SCHEDULE["rectification-overdue-snapshot"]["task"]
    assert name == "rectification.tasks.overdue_snapshot_record" and name in app.tasks


@pytest.mark.celery_worker
def test_snapshot_on_a_real_worker(celery_worker_ready, divisions, today):
    result = tasks.overdue_snapshot_record.delay(today.isoformat())
    assert result.get(timeout=60) in (0, 5)
    assert OverdueSnapshot.objects.filter(date=today).count() == 5
    assert tasks.overdue_snapshot_record.delay(today.isoformat()).get(timeout=60) == 0
