"""Every clue transition, allowed and refused, for each role; the history keeps each step."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rectification import services
from rectification.models import Clue, ClueCategory, ClueSource, ClueStatus
from villages.models import Role

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour_clerk(make_user, neighbour_village):
    """A clerk of another township of the same county (娄星区)."""
    return make_user(Role.TOWNSHIP_CLERK, township=neighbour_village.township.code, username="town-neighbour")


def actor(request, name):
    return request.getfixturevalue(name)


# --- creating --------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["reviewer", "city_user", "agri_user", "admin_user"])
def test_inspectors_record_an_inspections_clue(request, who, make_clue):
    clue = make_clue(user=actor(request, who))
    assert clue.status == ClueStatus.PENDING
    assert clue.code.startswith(f"XS431302{clue.found_on.year}")
    assert clue.history.first().history_change_reason == "登记线索(暗访)"


@pytest.mark.parametrize("who", ["clerk", "other_reviewer", "other_clerk"])
def test_others_may_not_record_an_inspections_clue(request, who, make_clue):
    with pytest.raises(PermissionDenied):
        make_clue(user=actor(request, who))
    assert not Clue.objects.exists()


def _self_clue(user, village, today, **kwargs):
    return services.clue_create(
        user=user,
        source=ClueSource.SELF,
        data=services.ClueInput(
            village=village,
            category=ClueCategory.FINANCE,
            description="白条入账 3 笔",
            amount_involved="860.50",
            responsible_person="村报账员",
            deadline=today + timedelta(days=20),
            **kwargs,
        ),
    )


def test_clerk_records_self_inspection_clues_of_own_township(clerk, village, today):
    clue = _self_clue(clerk, village, today)
    clue.refresh_from_db()
    assert (clue.source, clue.amount_involved, clue.found_on) == (ClueSource.SELF, Decimal("860.50"), today)


@pytest.mark.parametrize("who", ["other_clerk", "reviewer", "city_user"])
def test_only_the_township_records_self_inspection_clues(request, who, village, today):
    with pytest.raises(PermissionDenied):
        _self_clue(actor(request, who), village, today)


def test_clerk_cannot_record_for_a_neighbour_township(clerk, neighbour_village, today):
    with pytest.raises(PermissionDenied):
        _self_clue(clerk, neighbour_village, today)


def test_inspection_clue_needs_a_village_the_inspection_covered(reviewer, inspection, other_village, today):
    with pytest.raises(PermissionDenied):  # 新化县 is not 娄星区's
        services.clue_create(
            user=reviewer,
            source=ClueSource.UNANNOUNCED,
            inspection=inspection,
            data=services.ClueInput(
                village=other_village,
                category=ClueCategory.FINANCE,
                description="x",
                amount_involved="0",
                responsible_person="y",
                deadline=today,
            ),
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount_involved", "-1", "不能为负数"),
        ("amount_involved", "1.234", "两位小数"),
        ("description", "  ", "问题描述"),
        ("deadline", "past", "不能早于发现日期"),
        ("category", "nonsense", "六大类"),
    ],
)
def test_bad_clue_input_is_refused_in_chinese(clerk, village, today, field, value, message):
    data = {
        "village": village,
        "category": ClueCategory.FINANCE,
        "description": "白条入账",
        "amount_involved": "10",
        "responsible_person": "村报账员",
        "deadline": today + timedelta(days=5),
        "found_on": today - timedelta(days=1),
    }
    data[field] = today - timedelta(days=10) if value == "past" else value
    with pytest.raises(ValidationError) as exc:
        services.clue_create(user=clerk, source=ClueSource.SELF, data=services.ClueInput(**data))
    assert message in str(exc.value)
    assert not Clue.objects.exists()


def test_supervision_clue_requires_its_inspection(reviewer, village, today):
    with pytest.raises(ValidationError, match="所属检查"):
        services.clue_create(
            user=reviewer,
            source=ClueSource.SUPERVISION,
            data=services.ClueInput(
                village=village,
                category=ClueCategory.FINANCE,
                description="x",
                amount_involved=0,
                responsible_person="y",
                deadline=today,
            ),
        )


def test_codes_are_numbered_per_county_and_year(make_clue):
    first, second = make_clue(), make_clue()
    assert int(second.code[-5:]) == int(first.code[-5:]) + 1


# --- the township works the clue ----------------------------------------------------------------
def test_clerk_starts_the_clue(clue, clerk):
    clue = services.clue_start(clue=clue, user=clerk, measures="约谈承包户")
    assert clue.status == ClueStatus.IN_PROGRESS
    assert (clue.started_by, clue.measures) == (clerk, "约谈承包户")


@pytest.mark.parametrize("who", ["reviewer", "city_user", "admin_user", "other_clerk", "neighbour_clerk"])
def test_only_the_townships_clerk_starts(request, who, clue):
    with pytest.raises(PermissionDenied):
        services.clue_start(clue=clue, user=actor(request, who))
    clue.refresh_from_db()
    assert clue.status == ClueStatus.PENDING


def test_start_twice_is_refused(started_clue, clerk):
    with pytest.raises(ValidationError, match="不能开始整改"):
        services.clue_start(clue=started_clue, user=clerk)


def test_clerk_updates_progress_within_the_amount_involved(started_clue, clerk):
    clue = services.clue_update_progress(
        clue=started_clue, user=clerk, measures="已收回 5000 元", amount_recovered="5000"
    )
    assert str(clue.amount_recovered) == "5000.00"
    with pytest.raises(ValidationError, match="不能超过涉及金额"):
        services.clue_update_progress(clue=clue, user=clerk, measures="x", amount_recovered="99999")


@pytest.mark.parametrize("who", ["reviewer", "city_user", "other_clerk"])
def test_only_the_clerk_updates_progress(request, who, started_clue):
    with pytest.raises(PermissionDenied):
        services.clue_update_progress(clue=started_clue, user=actor(request, who), measures="x")


def test_request_acceptance_needs_evidence(started_clue, clerk):
    with pytest.raises(ValidationError, match="佐证材料"):
        services.clue_request_acceptance(clue=started_clue, user=clerk)
    started_clue.refresh_from_db()
    assert started_clue.status == ClueStatus.IN_PROGRESS


def test_request_acceptance_needs_measures(clue, clerk):
    clue = services.clue_start(clue=clue, user=clerk)
    services.clue_add_evidence(clue=clue, user=clerk, file=upload("a.pdf", PDF))
    with pytest.raises(ValidationError, match="整改措施"):
        services.clue_request_acceptance(clue=clue, user=clerk)


def test_request_acceptance_from_pending_is_refused(clue, clerk):
    services.clue_add_evidence(clue=clue, user=clerk, file=upload("a.pdf", PDF))
    with pytest.raises(ValidationError, match="只有整改中"):
        services.clue_request_acceptance(clue=clue, user=clerk, measures="x")


def test_clerk_requests_acceptance(evidenced_clue, clerk):
    clue = services.clue_request_acceptance(clue=evidenced_clue, user=clerk, amount_recovered="12000")
    assert clue.status == ClueStatus.AWAITING
    assert clue.requested_by == clerk


@pytest.mark.parametrize("who", ["reviewer", "city_user", "other_clerk", "neighbour_clerk"])
def test_only_the_clerk_requests_acceptance(request, who, evidenced_clue):
    with pytest.raises(PermissionDenied):
        services.clue_request_acceptance(clue=evidenced_clue, user=actor(request, who))


def test_no_more_evidence_while_under_review(awaiting_clue, clerk):
    with pytest.raises(ValidationError, match="正在验收"):
        services.clue_add_evidence(clue=awaiting_clue, user=clerk, file=upload("b.pdf", PDF))


# --- the county verifies -------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["reviewer", "city_user", "admin_user"])
def test_reviewer_or_city_closes(request, who, awaiting_clue):
    user = actor(request, who)
    clue = services.clue_close(clue=awaiting_clue, user=user, note="核实到位")
    assert clue.status == ClueStatus.CLOSED
    assert (clue.closed_by, clue.close_note) == (user, "核实到位")
    assert clue.closed_at is not None


@pytest.mark.parametrize("who", ["clerk", "other_reviewer", "agri_user", "finance_user", "other_clerk"])
def test_others_may_not_close(request, who, awaiting_clue):
    with pytest.raises(PermissionDenied):
        services.clue_close(clue=awaiting_clue, user=actor(request, who))
    awaiting_clue.refresh_from_db()
    assert awaiting_clue.status == ClueStatus.AWAITING


@pytest.mark.parametrize("who", ["reviewer", "city_user"])
def test_reviewer_or_city_rejects_with_a_reason(request, who, awaiting_clue):
    clue = services.clue_reject(clue=awaiting_clue, user=actor(request, who), reason="收款凭证不清晰")
    assert clue.status == ClueStatus.IN_PROGRESS
    assert (clue.reject_reason, clue.rejection_count) == ("收款凭证不清晰", 1)


@pytest.mark.parametrize("who", ["clerk", "other_reviewer", "agri_user"])
def test_others_may_not_reject(request, who, awaiting_clue):
    with pytest.raises(PermissionDenied):
        services.clue_reject(clue=awaiting_clue, user=actor(request, who), reason="x")


def test_reject_needs_a_reason(awaiting_clue, reviewer):
    with pytest.raises(ValidationError, match="原因"):
        services.clue_reject(clue=awaiting_clue, user=reviewer, reason="   ")
    awaiting_clue.refresh_from_db()
    assert awaiting_clue.status == ClueStatus.AWAITING


@pytest.mark.parametrize("service", ["clue_close", "clue_reject"])
def test_only_awaiting_clues_are_verified(started_clue, reviewer, service):
    with pytest.raises(ValidationError, match="只有待验收"):
        getattr(services, service)(
            clue=started_clue, user=reviewer, **({"reason": "x"} if service == "clue_reject" else {})
        )


# --- a closed clue is read-only ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("service", "who", "kwargs"),
    [
        ("clue_start", "clerk", {}),
        ("clue_update_progress", "clerk", {"measures": "x"}),
        ("clue_request_acceptance", "clerk", {}),
        ("clue_reject", "reviewer", {"reason": "x"}),
        ("clue_close", "reviewer", {}),
        ("clue_close", "city_user", {}),
    ],
)
def test_closed_clue_is_read_only(request, closed_clue, service, who, kwargs):
    with pytest.raises(ValidationError, match="已销号"):
        getattr(services, service)(clue=closed_clue, user=actor(request, who), **kwargs)


def test_closed_clue_takes_no_evidence(closed_clue, clerk):
    with pytest.raises(ValidationError, match="已销号"):
        services.clue_add_evidence(clue=closed_clue, user=clerk, file=upload("c.pdf", PDF))


def test_every_step_is_in_the_history_with_its_reason(awaiting_clue, reviewer, clerk):
    clue = services.clue_reject(clue=awaiting_clue, user=reviewer, reason="凭证不全")
    services.clue_request_acceptance(clue=clue, user=clerk)
    services.clue_close(clue=clue, user=reviewer)
    steps = [
        (h.history_change_reason, h.status, h.history_user) for h in clue.history.order_by("history_date", "history_id")
    ]
    assert steps == [
        ("登记线索(暗访)", ClueStatus.PENDING, reviewer),
        ("开始整改", ClueStatus.IN_PROGRESS, clerk),
        ("上传佐证材料:收款凭证.pdf", ClueStatus.IN_PROGRESS, clerk),
        ("申请验收", ClueStatus.AWAITING, clerk),
        ("退回整改:凭证不全", ClueStatus.IN_PROGRESS, reviewer),
        ("申请验收", ClueStatus.AWAITING, clerk),
        ("验收销号", ClueStatus.CLOSED, reviewer),
    ]
