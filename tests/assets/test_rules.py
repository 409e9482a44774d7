"""assets/rules.py at its boundaries, on unsaved records (no database)."""

import datetime

import pytest

from assets import rules
from assets.models import Asset, AssetStatus, Contract, Resource, ResourceStatus

D = datetime.date


def lease(start, end, *, asset=None, resource=None, pk=None, number="HT"):
    return Contract(pk=pk, number=number, asset_id=asset, resource_id=resource, start_date=start, end_date=end)


# --- idle exit --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "old", "new", "refused"),
    [
        (Asset, AssetStatus.IDLE, AssetStatus.LEASED, True),
        (Asset, AssetStatus.IDLE, AssetStatus.SELF_USE, True),
        (Asset, AssetStatus.IDLE, AssetStatus.IDLE, False),  # staying idle is no exit
        (Asset, AssetStatus.IDLE, AssetStatus.DISPOSED, False),  # disposal is the one way out
        (Asset, AssetStatus.SELF_USE, AssetStatus.LEASED, False),  # not idle: any change
        (Asset, AssetStatus.SELF_USE, AssetStatus.IDLE, False),  # becoming idle is free
        (Resource, ResourceStatus.IDLE, ResourceStatus.CONTRACTED, True),
        (Resource, ResourceStatus.IDLE, ResourceStatus.UNLET, True),
        (Resource, ResourceStatus.IDLE, ResourceStatus.IDLE, False),
        (Resource, ResourceStatus.UNLET, ResourceStatus.CONTRACTED, False),
    ],
)
def test_idle_exit(model, old, new, refused):
    refusal = rules.idle_exit_refusal(model, old_status=old, new_status=new)
    assert (refusal is not None) is refused
    if refused:
        kind = "资产" if model is Asset else "资源"
        assert refusal == f"闲置的{kind}须通过“登记盘活”改变状态(处置除外)。"


def test_revitalised_status_choices_leave_out_idle_and_disposed():
    asset_values = [value for value, _label in rules.revitalised_status_choices(Asset)]
    assert asset_values == ["self_use", "leased", "lent", "invested"]
    resource_values = [value for value, _label in rules.revitalised_status_choices(Resource)]
    assert resource_values == ["unlet", "contracted", "transferred", "invested"]


def test_status_when_leased():
    assert rules.status_when_leased(Asset(status=AssetStatus.SELF_USE)) == AssetStatus.LEASED
    assert rules.status_when_leased(Resource(status=ResourceStatus.UNLET)) == ResourceStatus.CONTRACTED
    # An idle item keeps 闲置 until its 盘活 is registered; others keep their own status.
    assert rules.status_when_leased(Asset(status=AssetStatus.IDLE)) is None
    assert rules.status_when_leased(Asset(status=AssetStatus.LENT)) is None
    assert rules.status_when_leased(Resource(status=ResourceStatus.IDLE)) is None


# --- lease overlap ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31)), False),  # back to back
        ((D(2024, 1, 1), D(2025, 1, 1)), (D(2025, 1, 1), D(2025, 12, 31)), True),  # touching: one shared day
        ((D(2025, 1, 1), D(2025, 1, 1)), (D(2025, 1, 1), D(2025, 1, 1)), True),  # the same single day
        ((D(2025, 3, 1), D(2025, 3, 1)), (D(2025, 1, 1), D(2025, 12, 31)), True),  # one day inside
        ((D(2025, 1, 1), D(2025, 12, 31)), (D(2025, 3, 1), D(2025, 3, 1)), True),  # contains it
        ((D(2026, 1, 1), None), (D(2024, 1, 1), D(2025, 12, 31)), False),  # open-ended, after
        ((D(2025, 12, 31), None), (D(2024, 1, 1), D(2025, 12, 31)), True),  # open-ended, from the last day
        ((D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 1, 1), None), False),  # ends before an open one
        ((D(2024, 1, 1), None), (D(2030, 1, 1), None), True),  # two open-ended ones always meet
        ((None, D(2025, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31)), False),  # no start: not judged
    ],
)
def test_terms_overlap(a, b, overlap):
    assert rules.terms_overlap(*a, *b) is overlap
    assert rules.terms_overlap(*b, *a) is overlap  # symmetric


def test_overlapping_lease_same_item_only():
    mine = lease(D(2025, 1, 1), D(2025, 12, 31), asset=7)
    other_asset = lease(D(2025, 1, 1), D(2025, 12, 31), asset=8, number="HT-8")
    resource_same_id = lease(D(2025, 1, 1), D(2025, 12, 31), resource=7, number="HT-R7")
    assert rules.overlapping_lease(mine, [other_asset, resource_same_id]) is None
    same = lease(D(2025, 12, 31), D(2026, 12, 31), asset=7, number="HT-7")
    assert rules.overlapping_lease(mine, [other_asset, resource_same_id, same]) is same
    assert rules.overlap_message(mine, same) == "该资产在此期间已有合同 HT-7,租期不能重叠。"


def test_overlapping_lease_returns_the_first_in_order():
    mine = lease(D(2025, 1, 1), D(2027, 12, 31), resource=3)
    first = lease(D(2024, 1, 1), D(2025, 1, 1), resource=3, number="A")
    second = lease(D(2027, 12, 31), D(2030, 1, 1), resource=3, number="B")
    assert rules.overlapping_lease(mine, [first, second]) is first
    assert rules.overlapping_lease(mine, [second, first]) is second
    assert rules.overlap_message(mine, first) == "该资源在此期间已有合同 A,租期不能重叠。"


def test_overlapping_lease_skips_the_contract_itself():
    saved = lease(D(2025, 1, 1), D(2025, 12, 31), asset=7, pk=5)
    # The saved row being edited, re-read as another object, is not its own overlap.
    edited = lease(D(2025, 6, 1), D(2026, 5, 31), asset=7, pk=5)
    assert rules.overlapping_lease(edited, [saved]) is None
    assert rules.overlapping_lease(saved, [saved]) is None
    # Two unsaved rows (of one file) are different contracts.
    row_a = lease(D(2025, 1, 1), D(2025, 12, 31), asset=7)
    row_b = lease(D(2025, 1, 1), D(2025, 12, 31), asset=7)
    assert rules.overlapping_lease(row_b, [row_a]) is row_a


def test_overlapping_lease_open_ended_and_subjectless():
    open_ended = lease(D(2020, 1, 1), None, asset=7, number="OPEN")
    later = lease(D(2040, 1, 1), D(2040, 12, 31), asset=7)
    earlier = lease(D(2019, 1, 1), D(2019, 12, 31), asset=7)
    assert rules.overlapping_lease(later, [open_ended]) is open_ended
    assert rules.overlapping_lease(earlier, [open_ended]) is None
    nothing = lease(D(2040, 1, 1), D(2040, 12, 31))
    assert rules.lease_subject(nothing) is None
    assert rules.overlapping_lease(nothing, [open_ended]) is None


# --- contract subject -------------------------------------------------------------------------


def test_contract_subject_refusal():
    own = Asset(pk=1, village_id=10, status=AssetStatus.SELF_USE)
    assert rules.contract_subject_refusal(Contract(village_id=10, asset=own)) is None
    assert rules.contract_subject_refusal(Contract(village_id=11, asset=own)) == {
        "asset": "合同标的须为本村(社区)的资产或资源。"
    }
    disposed = Asset(pk=2, village_id=10, status=AssetStatus.DISPOSED)
    assert rules.contract_subject_refusal(Contract(village_id=10, asset=disposed)) == {
        "asset": "已处置的资产不能再签订合同。"
    }
    idle = Asset(pk=3, village_id=10, status=AssetStatus.IDLE)
    assert rules.contract_subject_refusal(Contract(village_id=10, asset=idle)) is None
    land = Resource(pk=4, village_id=10, status=ResourceStatus.IDLE)
    assert rules.contract_subject_refusal(Contract(village_id=11, resource=land)) == {
        "resource": "合同标的须为本村(社区)的资产或资源。"
    }
    assert rules.contract_subject_refusal(Contract(village_id=10)) is None  # the constraint reports it


# --- yearly schedule --------------------------------------------------------------------------


def test_yearly_due_dates():
    assert rules.yearly_due_dates(D(2024, 1, 1), D(2026, 12, 31)) == [D(2024, 1, 1), D(2025, 1, 1), D(2026, 1, 1)]
    # The last anniversary is due when the term ends on it.
    assert rules.yearly_due_dates(D(2024, 3, 1), D(2025, 3, 1)) == [D(2024, 3, 1), D(2025, 3, 1)]
    assert rules.yearly_due_dates(D(2024, 3, 1), D(2025, 2, 28)) == [D(2024, 3, 1)]
    # 29 February falls on 28 February in common years.
    assert rules.yearly_due_dates(D(2024, 2, 29), D(2026, 12, 31)) == [D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28)]


def test_warning_labels_state_the_thresholds():
    assert rules.WARNING_LABELS["term_over_20y"] == f"租期超过{rules.MAX_TERM_YEARS}年" == "租期超过20年"
    assert rules.WARNING_LABELS["ending_90d"] == f"{rules.ENDING_WITHIN_DAYS}天内到期" == "90天内到期"
