"""The income services: scope and role on every transition, optimistic locking, closed years,
the jump rule and the 2024 rule. Pages and the API only call these."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from villages import services
from villages.models import IncomeReport, IncomeStatus
from villages.services import IncomeConflict

from .conftest import figures

pytestmark = pytest.mark.django_db


def test_save_draft_creates_then_bumps_version(clerk, village):
    report = services.income_save_draft(user=clerk, village=village, year=2024, data=figures(), version=0)
    assert (report.status, report.version) == (IncomeStatus.DRAFT, 1)
    assert report.total_income == Decimal("104500.50")
    assert report.operating_income == Decimal("78000.50")
    report = services.income_save_draft(
        user=clerk, village=village, year=2024, data=figures(other_income="2500"), version=1
    )
    assert report.version == 2 and report.total_income == Decimal("105500.50")
    record = report.history.first()
    assert record.history_user == clerk and record.history_change_reason == "修改草稿"


def test_stale_version_is_a_conflict_and_changes_nothing(clerk, village):
    report = services.income_save_draft(user=clerk, village=village, year=2024, data=figures(), version=0)
    services.income_save_draft(user=clerk, village=village, year=2024, data=figures(other_income="9"), version=1)
    with pytest.raises(IncomeConflict) as caught:
        services.income_save_draft(user=clerk, village=village, year=2024, data=figures(other_income="7"), version=1)
    assert caught.value.current_version == 2
    assert "已被他人修改" in caught.value.message
    report.refresh_from_db()
    assert (report.version, report.other_income) == (2, Decimal("9.00"))
    # Creating a report someone else has just created is a conflict too.
    with pytest.raises(IncomeConflict):
        services.income_save_draft(user=clerk, village=village, year=2024, data=figures(), version=0)


def test_every_transition_checks_the_version(clerk, reviewer, city_user, village, make_report):
    report = make_report(village, 2023, IncomeStatus.SUBMITTED)
    for call in (
        lambda: services.income_approve(user=reviewer, report=report, version=99),
        lambda: services.income_return(user=reviewer, report=report, version=99, reason="x"),
    ):
        with pytest.raises(IncomeConflict):
            call()
    report.status = IncomeStatus.APPROVED
    report.save()
    with pytest.raises(IncomeConflict):
        services.income_reopen(user=city_user, report=report, version=99, reason="x")


def test_clerk_enters_only_own_township(clerk, other_clerk, reviewer, city_user, village, foreign_village):
    with pytest.raises(PermissionDenied, match="不属于您管辖的乡镇"):
        services.income_save_draft(user=clerk, village=foreign_village, year=2024, data=figures(), version=0)
    for user in (other_clerk, reviewer, city_user):
        with pytest.raises(PermissionDenied):
            services.income_save_draft(user=user, village=village, year=2024, data=figures(), version=0)
    assert not IncomeReport.objects.exists()


@pytest.mark.parametrize("status", [IncomeStatus.SUBMITTED, IncomeStatus.APPROVED])
def test_clerk_cannot_change_submitted_or_approved(clerk, village, make_report, status):
    report = make_report(village, 2023, status)
    with pytest.raises(PermissionDenied):
        services.income_save_draft(user=clerk, village=village, year=2023, data=figures(), version=report.version)


@pytest.mark.parametrize(
    ("role_fixture", "allowed"),
    [("clerk", True), ("other_clerk", False), ("reviewer", False), ("city_user", False)],
)
def test_submit_by_role(request, role_fixture, allowed, village, make_report):
    report = make_report(village, 2023)
    user = request.getfixturevalue(role_fixture)
    if allowed:
        report = services.income_submit(user=user, report=report, version=1)
        assert report.status == IncomeStatus.SUBMITTED and report.submitted_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.income_submit(user=user, report=report, version=1)


@pytest.mark.parametrize(
    ("role_fixture", "allowed"),
    [
        ("reviewer", True),
        ("city_user", True),
        ("admin_user", True),
        ("other_reviewer", False),
        ("clerk", False),
        ("agri_user", False),
        ("finance_user", False),
    ],
)
def test_approve_and_return_by_role(request, role_fixture, allowed, village, make_report):
    user = request.getfixturevalue(role_fixture)
    first = make_report(village, 2023, IncomeStatus.SUBMITTED)
    second = make_report(village, 2022, IncomeStatus.SUBMITTED)
    if allowed:
        approved = services.income_approve(user=user, report=first, version=1)
        assert approved.status == IncomeStatus.APPROVED and approved.approved_by == user
        returned = services.income_return(user=user, report=second, version=1, reason="补助收入有误")
        assert returned.status == IncomeStatus.DRAFT and returned.return_reason == "补助收入有误"
        assert returned.history.first().history_change_reason == "退回:补助收入有误"
    else:
        with pytest.raises(PermissionDenied):
            services.income_approve(user=user, report=first, version=1)
        with pytest.raises(PermissionDenied):
            services.income_return(user=user, report=second, version=1, reason="x")


@pytest.mark.parametrize(
    ("role_fixture", "allowed"),
    [("city_user", True), ("admin_user", True), ("reviewer", False), ("clerk", False), ("agri_user", False)],
)
def test_reopen_by_role(request, role_fixture, allowed, village, make_report):
    user = request.getfixturevalue(role_fixture)
    report = make_report(village, 2023, IncomeStatus.APPROVED)
    if allowed:
        report = services.income_reopen(user=user, report=report, version=1, reason="审计发现经营收入多计")
        assert report.status == IncomeStatus.DRAFT and report.version == 2
        assert report.history.first().history_change_reason == "重新打开:审计发现经营收入多计"
    else:
        with pytest.raises(PermissionDenied):
            services.income_reopen(user=user, report=report, version=1, reason="x")


def test_transitions_need_the_right_status_and_a_reason(clerk, reviewer, city_user, village, make_report):
    draft = make_report(village, 2023)
    with pytest.raises(ValidationError, match="只能审核已提交"):
        services.income_approve(user=reviewer, report=draft, version=1)
    with pytest.raises(ValidationError, match="只能重新打开已审核"):
        services.income_reopen(user=city_user, report=draft, version=1, reason="x")
    submitted = services.income_submit(user=clerk, report=draft, version=1)
    with pytest.raises(ValidationError, match="退回须填写原因"):
        services.income_return(user=reviewer, report=submitted, version=2, reason="  ")
    with pytest.raises(PermissionDenied):  # submitted twice: no longer a draft
        services.income_submit(user=clerk, report=submitted, version=2)


def test_closed_year_refuses_every_write(clerk, reviewer, city_user, admin_user, village, leping_villages, make_report):
    draft = make_report(leping_villages[1], 2023)
    submitted = make_report(leping_villages[2], 2023, IncomeStatus.SUBMITTED)
    approved = make_report(leping_villages[3], 2023, IncomeStatus.APPROVED)
    services.year_close(year=2023, user=admin_user, reason="验收确认")
    writes = [
        lambda: services.income_save_draft(user=clerk, village=village, year=2023, data=figures(), version=0),
        lambda: services.income_save_draft(
            user=clerk, village=draft.village, year=2023, data=figures(), version=draft.version
        ),
        lambda: services.income_submit(user=clerk, report=draft, version=1),
        lambda: services.income_approve(user=reviewer, report=submitted, version=1),
        lambda: services.income_return(user=reviewer, report=submitted, version=1, reason="x"),
        lambda: services.income_reopen(user=city_user, report=approved, version=1, reason="x"),
        lambda: services.income_submit_township(user=clerk, township=village.township, year=2023),
        lambda: services.income_approve_township(user=reviewer, township=village.township, year=2023),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied, match="已关账"):
            write()
    assert sorted(IncomeReport.objects.values_list("version", flat=True)) == [1, 1, 1]
    # After an audited unlock the year is open again.
    services.year_unlock(year=2023, user=admin_user, reason="更正")
    assert services.income_submit(user=clerk, report=draft, version=1).status == IncomeStatus.SUBMITTED


@pytest.mark.parametrize(
    ("this_year", "jump"),
    [("400000", True), ("300000", False), ("33334", False), ("33333", True), ("100000", False)],
)
def test_jump_rule_needs_a_note(clerk, village, make_report, this_year, jump):
    make_report(village, 2023, IncomeStatus.APPROVED, total="100000")
    report = make_report(village, 2024, total=this_year)
    if jump:
        with pytest.raises(ValidationError) as caught:
            services.income_submit(user=clerk, report=report, version=1)
        assert "备注中说明原因" in caught.value.message_dict["note"][0]
        report = services.income_save_draft(
            user=clerk,
            village=village,
            year=2024,
            data={
                **dict.fromkeys(services.INCOME_AMOUNT_FIELDS, "0"),
                "operating_revenue": this_year,
                "note": "新建光伏电站",
            },
            version=1,
        )
    assert services.income_submit(user=clerk, report=report, version=report.version).status == "submitted"


def test_no_last_year_means_no_jump(clerk, village, make_report):
    report = make_report(village, 2024, total="5000000")
    assert services.income_submit(user=clerk, report=report, version=1).status == IncomeStatus.SUBMITTED


def test_amount_rules_in_chinese(clerk, village):
    with pytest.raises(ValidationError) as caught:
        services.income_save_draft(
            user=clerk,
            village=village,
            year=2024,
            data=figures(
                contracting_revenue="100", operating_revenue="-5", other_income="一千", subsidy_income="1.005"
            ),
            version=0,
        )
    errors = caught.value.message_dict
    assert "发包及上交收入科目已取消" in errors["contracting_revenue"][0]
    assert "不能为负数" in errors["operating_revenue"][0]
    assert "应为数字" in errors["other_income"][0]
    assert "两位小数" in errors["subsidy_income"][0]
    assert not IncomeReport.objects.exists()
    # Before 2024 发包及上交收入 is a normal field.
    report = services.income_save_draft(
        user=clerk, village=village, year=2023, data=figures(contracting_revenue="100"), version=0
    )
    assert report.contracting_revenue == Decimal("100.00")


def test_save_and_submit_is_all_or_nothing(clerk, village, make_report):
    make_report(village, 2023, IncomeStatus.APPROVED, total="10000")
    with pytest.raises(ValidationError):
        services.income_save_and_submit(
            user=clerk, village=village, year=2024, data=figures(operating_revenue="900000"), version=0
        )
    assert not IncomeReport.objects.filter(year=2024).exists()


def test_bulk_submit_township(clerk, other_clerk, leping_villages, make_report):
    reports = [make_report(v, 2024) for v in leping_villages[:4]]
    township = leping_villages[0].township
    with pytest.raises(PermissionDenied):
        services.income_submit_township(user=other_clerk, township=township, year=2024)
    stale = {r.pk: r.version for r in reports} | {reports[0].pk: 5}
    with pytest.raises(IncomeConflict):
        services.income_submit_township(user=clerk, township=township, year=2024, versions=stale)
    done = services.income_submit_township(
        user=clerk, township=township, year=2024, versions={r.pk: r.version for r in reports[:3]}
    )
    assert len(done) == 3
    statuses = dict(IncomeReport.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in reports] == ["submitted", "submitted", "submitted", "draft"]
    record = IncomeReport.objects.get(pk=reports[0].pk).history.first()
    assert record.history_user == clerk and record.history_change_reason == "批量提交审核"
    assert IncomeReport.objects.get(pk=reports[0].pk).version == 2


def test_bulk_submit_stops_on_a_missing_jump_note(clerk, leping_villages, make_report):
    make_report(leping_villages[0], 2023, IncomeStatus.APPROVED, total="10000")
    make_report(leping_villages[0], 2024, total="90000")
    make_report(leping_villages[1], 2024)
    with pytest.raises(ValidationError, match=leping_villages[0].name):
        services.income_submit_township(user=clerk, township=leping_villages[0].township, year=2024)
    assert not IncomeReport.objects.filter(status=IncomeStatus.SUBMITTED).exists()


def test_bulk_approve_township(reviewer, other_reviewer, city_user, leping_villages, make_report):
    reports = [make_report(v, 2024, IncomeStatus.SUBMITTED) for v in leping_villages]
    make_report(leping_villages[0], 2023)  # a draft of another year is untouched
    township = leping_villages[0].township
    with pytest.raises(PermissionDenied):
        services.income_approve_township(user=other_reviewer, township=township, year=2024)
    done = services.income_approve_township(user=reviewer, township=township, year=2024)
    assert len(done) == len(reports) == 12
    assert IncomeReport.objects.filter(year=2024, status=IncomeStatus.APPROVED, approved_by=reviewer).count() == 12
    with pytest.raises(ValidationError, match="没有待审核"):
        services.income_approve_township(user=city_user, township=township, year=2024)
