"""Reporting periods (填报期): entry only while a year is 填报中, returned reports always correctable,
deadline extensions with a reason, the command line's import, the demo's open year, and the one
selector that decides the year each page opens on."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.checks import page_refused
from villages import selectors, services
from villages.demo import DEMO_OPEN_YEAR, seed_period
from villages.models import IncomeReport, IncomeStatus, PeriodState, ReportingPeriod

from .conftest import figures

pytestmark = pytest.mark.django_db

YEAR = 2025  # the autouse fixture opens 2022–2024 only; 2025's period is each test's own


def _set(user, *, opens=-30, deadline=30, review=45, reason="", year=YEAR):
    today = timezone.localdate()
    return services.reporting_period_set(
        user=user,
        year=year,
        opens_on=today + timedelta(days=opens),
        entry_deadline=today + timedelta(days=deadline),
        review_deadline=today + timedelta(days=review),
        reason=reason,
    )


# --- states ----------------------------------------------------------------------------------------


def test_state_follows_the_dates_and_the_closed_year(city_user, admin_user):
    assert selectors.year_state(year=YEAR) is None
    _set(city_user, opens=1, deadline=10, review=20)
    assert selectors.year_state(year=YEAR) == PeriodState.NOT_OPEN
    _set(city_user, opens=-1, deadline=0, review=20, reason="提前开放")
    assert selectors.year_state(year=YEAR) == PeriodState.OPEN  # the deadline day is still open
    _set(city_user, opens=-10, deadline=-1, review=20, reason="按原定截止")
    assert selectors.year_state(year=YEAR) == PeriodState.PAST_DEADLINE
    services.year_close(year=YEAR, user=city_user)  # what the joint sign-off does
    assert selectors.year_state(year=YEAR) == PeriodState.CLOSED
    services.year_unlock(year=YEAR, user=admin_user, reason="更正数据")
    assert selectors.year_state(year=YEAR) == PeriodState.PAST_DEADLINE


# --- entry only in 填报中 ----------------------------------------------------------------------------


def test_no_entry_without_a_period(clerk, village):
    with pytest.raises(PermissionDenied, match="尚未开放 2025 年度"):
        services.income_save_draft(user=clerk, village=village, year=YEAR, data=figures(), version=0)
    assert not IncomeReport.objects.filter(year=YEAR).exists()


def test_no_entry_before_the_period_opens(clerk, city_user, village):
    _set(city_user, opens=3, deadline=10)
    with pytest.raises(PermissionDenied, match="将于 .* 开始"):
        services.income_save_draft(user=clerk, village=village, year=YEAR, data=figures(), version=0)


def test_no_new_entry_or_draft_change_after_the_deadline(clerk, city_user, village):
    _set(city_user)
    draft = services.income_save_draft(user=clerk, village=village, year=YEAR, data=figures(), version=0)
    _set(city_user, opens=-30, deadline=-2, reason="测试:截止")
    with pytest.raises(PermissionDenied, match="已于 .* 截止"):
        services.income_save_draft(user=clerk, village=village, year=YEAR, data=figures(), version=draft.version)
    with pytest.raises(PermissionDenied, match="截止"):
        services.income_submit(user=clerk, report=draft, version=draft.version)
    draft.refresh_from_db()
    assert (draft.status, draft.version) == (IncomeStatus.DRAFT, 1)


def test_entry_page_refuses_with_the_chinese_message(login, clerk, city_user, village):
    _set(city_user, opens=-30, deadline=-1)
    page = login(clerk).get(reverse("income:report_edit", args=[village.code, YEAR]), follow=True)
    assert "截止" in page.content.decode()
    response = login(clerk).post(
        reverse("income:report_edit", args=[village.code, YEAR]), {**figures(), "version": 0, "action": "draft"}
    )
    assert "2025 年度收入填报已于" in response.content.decode()
    assert not IncomeReport.objects.filter(year=YEAR).exists()


def test_a_returned_report_can_be_corrected_after_the_deadline(clerk, reviewer, city_user, village, leping_villages):
    _set(city_user)
    report = services.income_save_and_submit(user=clerk, village=village, year=YEAR, data=figures(), version=0)
    other = services.income_save_draft(user=clerk, village=leping_villages[1], year=YEAR, data=figures(), version=0)
    _set(city_user, opens=-30, deadline=-5, reason="测试:截止")
    report = services.income_return(user=reviewer, report=report, version=report.version, reason="补助收入不符")
    report = services.income_save_draft(
        user=clerk, village=village, year=YEAR, data=figures(subsidy_income="20000"), version=report.version
    )
    report = services.income_submit(user=clerk, report=report, version=report.version)
    assert report.status == IncomeStatus.SUBMITTED
    # Bulk submit after the deadline: a plain draft stops the lot.
    with pytest.raises(PermissionDenied, match="截止"):
        services.income_submit_township(user=clerk, township=village.township, year=YEAR)
    other.refresh_from_db()
    assert other.status == IncomeStatus.DRAFT


def test_review_goes_on_after_the_entry_deadline(clerk, reviewer, city_user, village):
    _set(city_user)
    report = services.income_save_and_submit(user=clerk, village=village, year=YEAR, data=figures(), version=0)
    _set(city_user, opens=-30, deadline=-5, reason="测试:截止")
    report = services.income_approve(user=reviewer, report=report, version=report.version)
    assert report.status == IncomeStatus.APPROVED


def test_import_command_loads_any_year_not_closed(tmp_path, village):
    from tests.income.test_excel import row, xlsx

    path = tmp_path / "往年.xlsx"
    path.write_bytes(xlsx([row(village, year=2019)]))
    call_command("import_incomes", str(path), "--approve")  # no period for 2019: the operator may load it
    assert IncomeReport.objects.get(village=village, year=2019).status == IncomeStatus.APPROVED


def test_a_clerks_upload_for_a_year_not_open_is_refused_row_by_row(login, clerk, village):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.income.test_excel import row, xlsx

    page = login(clerk).post(
        reverse("income:upload"), {"file": SimpleUploadedFile("收入.xlsx", xlsx([row(village, year=YEAR)]))}
    )
    assert "尚未开放 2025 年度" in page.content.decode()
    assert not IncomeReport.objects.filter(year=YEAR).exists()


# --- setting and extending a period ---------------------------------------------------------------


def test_only_the_organisation_department_sets_a_period(reviewer, clerk):
    for user in (reviewer, clerk):
        with pytest.raises(PermissionDenied):
            _set(user)
    assert not ReportingPeriod.objects.filter(year=YEAR).exists()


def test_extension_needs_a_reason_and_is_kept_in_the_history(city_user):
    period = _set(city_user)
    with pytest.raises(ValidationError, match="须填写原因"):
        _set(city_user, deadline=40)
    period.refresh_from_db()
    assert period.entry_deadline == timezone.localdate() + timedelta(days=30)
    _set(city_user, deadline=40, reason="部分乡镇系统故障")
    history = selectors.reporting_period_history(period=period)
    assert [h["why"] for h in history] == ["设定填报期", "延期:部分乡镇系统故障"]
    assert history[-1]["who"] == city_user.first_name
    assert history[-1]["entry_deadline"] == timezone.localdate() + timedelta(days=40)


def test_dates_must_be_in_order_and_a_closed_year_is_final(city_user):
    with pytest.raises(ValidationError, match="不能早于开始填报"):
        _set(city_user, opens=5, deadline=1)
    services.year_close(year=YEAR, user=city_user)
    with pytest.raises(ValidationError, match="已关账"):
        _set(city_user)


def test_city_extends_on_the_targets_page(login, city_user, reviewer):
    _set(city_user)
    url = reverse("incentives:period_edit", args=[YEAR])
    today = timezone.localdate()
    data = {
        "opens_on": today - timedelta(days=30),
        "entry_deadline": today + timedelta(days=50),
        "review_deadline": today + timedelta(days=60),
    }
    page = login(city_user).post(url, data)
    assert "须填写原因" in page.content.decode()
    page = login(city_user).post(url, {**data, "reason": "延长两周"})
    assert page.status_code == 302
    assert ReportingPeriod.objects.get(year=YEAR).entry_deadline == today + timedelta(days=50)
    listing = login(city_user).get(reverse("incentives:plan_list")).content.decode()
    assert "填报中" in listing and url in listing
    page_refused(login(reviewer).post(url, {**data, "reason": "x"}), 403)


def test_demo_opens_2025_around_today_and_moves_a_lapsed_period():
    seed_period()
    period = ReportingPeriod.objects.get(year=DEMO_OPEN_YEAR)
    assert period.state_on(timezone.localdate(), closed=False) == PeriodState.OPEN
    assert period.entry_deadline > timezone.localdate()
    seed_period()
    assert period.history.count() == 1  # still open: left alone
    later = timezone.localdate() + timedelta(days=90)
    seed_period(today=later)
    period.refresh_from_db()
    assert period.entry_deadline > later
    assert not ReportingPeriod.objects.exclude(year=DEMO_OPEN_YEAR).filter(year__gte=2025).exists()


# --- the year each page opens on -------------------------------------------------------------------


def test_a_draft_for_a_later_year_moves_no_default(login, clerk, reviewer, city_user, village, make_report):
    _set(city_user)
    make_report(village, 2024, IncomeStatus.APPROVED)
    assert selectors.entry_year() == YEAR
    assert selectors.results_year() == 2024
    # A clerk somewhere saves a draft for 2026 (say the city had opened it by mistake, then not).
    make_report(village, 2026, IncomeStatus.DRAFT)
    make_report(village, 2027, IncomeStatus.SUBMITTED)
    assert selectors.entry_year() == YEAR
    assert selectors.results_year() == 2024
    assert login(reviewer).get(reverse("home")).context["year"] == YEAR
    assert login(clerk).get(reverse("income:report_list")).context["year"] == YEAR
    assert login(city_user).get(reverse("dashboards:city")).context["year"] == 2024


def test_dashboards_open_on_the_latest_final_year(city_user, make_report, village):
    _set(city_user)
    make_report(village, 2023, IncomeStatus.APPROVED)
    make_report(village, 2024, IncomeStatus.APPROVED)
    make_report(village, YEAR, IncomeStatus.APPROVED)  # approved, but the year is still 填报中
    assert selectors.results_year() == 2024
    services.year_close(year=2023, user=city_user)
    assert selectors.results_year() == 2023  # closed beats "latest with approved reports"
    assert selectors.results_year(final_years=[2024]) == 2024  # a finished acceptance run for 2024


def test_the_pick_is_remembered_for_the_session(login, clerk, city_user):
    _set(city_user)
    client = login(clerk)
    assert client.get(reverse("income:report_list")).context["year"] == YEAR
    assert client.get(reverse("income:report_list"), {"year": 2023}).context["year"] == 2023
    assert client.get(reverse("income:report_list")).context["year"] == 2023
    assert client.get(reverse("home")).context["year"] == 2023
    client.logout()
    assert login(clerk).get(reverse("income:report_list")).context["year"] == YEAR
