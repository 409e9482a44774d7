"""Notifications and reminders (催报): the daily beat task sends each reminder once a day to the right
people only; 催报 is scoped and limited to once a day per township; the bell counts the unread; the
clerk's home page lists exactly the work left for the open year."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from loudi_portal.templatetags.portal_format import person_label
from villages import services
from villages.models import IncomeReport, IncomeStatus, Notification, NotificationKind, Role, Urge, Village
from villages.tasks import reminders_send

pytestmark = pytest.mark.django_db

YEAR = 2025
LEPING, DAPING = "431302001", "431302002"  # two townships of 娄星区


def _report(village, status, **extra):
    return IncomeReport.objects.create(
        village=village, year=YEAR, status=status, operating_revenue=Decimal("80000.00"), **extra
    )


@pytest.fixture
def leping(divisions):
    return list(Village.objects.filter(township__code=LEPING).select_related("township").order_by("code"))


@pytest.fixture
def everyone_submitted_in(divisions):
    """submit_all(township code): every village of the township has a submitted report."""

    def _submit_all(code):
        for village in Village.objects.filter(township__code=code):
            _report(village, IncomeStatus.SUBMITTED, submitted_at=timezone.now())

    return _submit_all


# --- the daily reminders ---------------------------------------------------------------------------


def test_clerks_are_reminded_7_3_1_days_before_once_a_day(make_user, open_period, clerk, everyone_submitted_in):
    done_clerk = make_user(Role.TOWNSHIP_CLERK, township=DAPING)
    everyone_submitted_in(DAPING)  # nothing to remind 大埔's clerk of
    reviewer = make_user(Role.COUNTY_REVIEWER, county="431302")
    period = open_period(YEAR, days_left=7)
    day = period.entry_deadline - timedelta(days=7)
    first = reminders_send(day.isoformat())
    assert Notification.objects.filter(recipient=clerk, kind=NotificationKind.ENTRY_DEADLINE).count() == 1
    assert not Notification.objects.filter(recipient__in=[done_clerk, reviewer]).exists()
    note = Notification.objects.get(recipient=clerk)
    assert "还有 7 天截止" in note.title and "12 个村" in note.body
    again = reminders_send(day.isoformat())
    assert Notification.objects.filter(recipient=clerk).count() == 1  # idempotent per day
    assert first.startswith("填报截止提醒") and "填报截止提醒 0 条" in again
    reminders_send((day + timedelta(days=1)).isoformat())  # 6 days left: no reminder day
    assert Notification.objects.filter(recipient=clerk).count() == 1
    for days_left in (3, 1):
        reminders_send((period.entry_deadline - timedelta(days=days_left)).isoformat())
    assert Notification.objects.filter(recipient=clerk).count() == 3
    # Other townships' clerks (here the 88 without an account) get nothing; 大埔's none at all.
    assert Notification.objects.count() == 3


def test_no_reminder_for_a_closed_or_unopened_year(open_period, clerk, city_user):
    period = open_period(YEAR, days_left=3)
    services.year_close(year=YEAR, user=city_user)
    reminders_send((period.entry_deadline - timedelta(days=3)).isoformat())
    assert not Notification.objects.exists()


def test_reviewers_are_reminded_of_reports_waiting_past_the_threshold(make_user, open_period, leping, settings):
    settings.REVIEW_WAIT_DAYS = 7
    open_period(YEAR)
    reviewer = make_user(Role.COUNTY_REVIEWER, county="431302")
    other_reviewer = make_user(Role.COUNTY_REVIEWER, county="431322")
    _report(leping[0], IncomeStatus.SUBMITTED, submitted_at=timezone.now() - timedelta(days=3))
    reminders_send()
    assert not Notification.objects.exists()  # 3 days is within the threshold
    _report(leping[1], IncomeStatus.SUBMITTED, submitted_at=timezone.now() - timedelta(days=9))
    reminders_send()
    reminders_send()
    notes = Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING)
    assert [n.recipient for n in notes] == [reviewer]
    assert "1 份收入报表等待审核超过 7 天" in notes[0].title
    assert not Notification.objects.filter(recipient=other_reviewer).exists()


# --- 催报 ------------------------------------------------------------------------------------------


def test_urge_is_scoped_to_the_county(make_user, open_period, clerk, other_clerk, reviewer, other_reviewer, login):
    open_period(YEAR)
    leping = clerk.official.township
    with pytest.raises(PermissionDenied):
        services.income_urge_township(user=other_reviewer, township=leping, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.income_urge_township(user=other_clerk, township=leping, year=YEAR)
    # Through the page: another county's township is simply not found.
    response = login(other_reviewer).post(reverse("income:urge"), {"year": YEAR, "township": LEPING})
    assert response.status_code == 404
    assert not Urge.objects.exists() and not Notification.objects.exists()


def test_urge_once_a_day_per_township_with_who_and_when(open_period, clerk, reviewer, city_user, login):
    open_period(YEAR)
    page = login(reviewer).post(reverse("income:urge"), {"year": YEAR, "township": LEPING}, follow=True)
    assert "已向乐坪街道催报" in page.content.decode()
    urge = Urge.objects.get()
    assert (urge.sent_by, urge.recipients, urge.day) == (reviewer, 1, timezone.localdate())
    note = Notification.objects.get(recipient=clerk)
    assert note.kind == NotificationKind.URGE and note.sender == reviewer
    with pytest.raises(ValidationError, match="每个乡镇每天只能催报一次"):
        services.income_urge_township(user=city_user, township=clerk.official.township, year=YEAR)
    assert Urge.objects.count() == 1 and Notification.objects.count() == 1
    listing = login(city_user).get(reverse("income:completeness"), {"year": YEAR}).content.decode()
    assert f"今日已由{person_label(reviewer)}于" in listing


def test_nothing_to_urge_when_all_submitted(open_period, clerk, reviewer, everyone_submitted_in):
    open_period(YEAR)
    everyone_submitted_in(LEPING)
    with pytest.raises(ValidationError, match="无需催报"):
        services.income_urge_township(user=reviewer, township=clerk.official.township, year=YEAR)


def test_past_the_deadline_overdue_townships_come_first(open_period, city_user, login, everyone_submitted_in):
    open_period(YEAR, days_left=-4)
    everyone_submitted_in("431302001")  # the first township by code is done
    page = login(city_user).get(reverse("income:completeness"), {"year": YEAR})
    rows = page.context["townships"]
    assert rows[0]["code"] != "431302001" and rows[0]["overdue_days"] == 4
    assert rows[-1]["code"] == "431302001" and rows[-1]["overdue_days"] is None
    assert "逾期 4 天" in page.content.decode()
    clerk_page = login(city_user).get(reverse("income:completeness"), {"year": YEAR})
    assert clerk_page.context["can_urge"]


def test_clerks_cannot_urge(open_period, clerk, login):
    open_period(YEAR)
    page = login(clerk).get(reverse("income:completeness"), {"year": YEAR})
    assert not page.context["can_urge"] and "催报</button>" not in page.content.decode()


# --- the bell, the list, marking read --------------------------------------------------------------


def test_bell_counts_only_my_unread_and_marking_read(open_period, clerk, other_clerk, reviewer, login):
    open_period(YEAR)
    services.income_urge_township(user=reviewer, township=clerk.official.township, year=YEAR)
    client = login(clerk)
    home = client.get(reverse("home")).content.decode()
    assert 'class="bell-count">1<' in home and "催报" in home
    assert 'class="bell-count"' not in login(other_clerk).get(reverse("home")).content.decode()
    note = Notification.objects.get()
    # Another user cannot mark it read.
    login(other_clerk).post(reverse("notifications:read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
    response = login(clerk).post(reverse("notifications:read"), {"id": note.pk, "next": note.url})
    assert response.status_code == 302 and response.url == note.url
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'class="bell-count"' not in login(clerk).get(reverse("home")).content.decode()


# --- the clerk's home page -------------------------------------------------------------------------


def test_clerks_home_lists_the_work_left_for_the_open_year(open_period, clerk, login, leping):
    open_period(YEAR, days_left=12)
    _report(leping[0], IncomeStatus.DRAFT)
    _report(leping[1], IncomeStatus.DRAFT, returned_at=timezone.now(), return_reason="补助收入与拨付记录不符")
    _report(leping[2], IncomeStatus.SUBMITTED)
    _report(leping[3], IncomeStatus.APPROVED)
    IncomeReport.objects.create(village=leping[4], year=2024, status=IncomeStatus.DRAFT)  # another year
    page = login(clerk).get(reverse("home"))
    todo = page.context["todo"]
    assert page.context["year"] == YEAR
    assert [v.code for v in todo["drafts"]] == [leping[0].code]
    assert [v.code for v in todo["returned"]] == [leping[1].code]
    assert len(todo["not_started"]) == 8 and leping[4].code in {v.code for v in todo["not_started"]}
    body = page.content.decode()
    assert "补助收入与拨付记录不符" in body and "还有 <strong>12</strong> 天" in body
    for village in (leping[0], leping[1], leping[4]):
        assert reverse("income:report_edit", args=[village.code, YEAR]) in body
    assert reverse("income:report_edit", args=[leping[2].code, YEAR]) not in body
