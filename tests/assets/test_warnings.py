"""Each contract warning rule at its boundary, computed set-based."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets import selectors
from assets.models import Contract, ResourceType
from loudi_portal import data_versions
from villages.models import Village
from villages.scope import SYSTEM_SCOPE, scope_for

from .conftest import TODAY, make_asset, make_contract, make_payment, make_resource

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def codes(contract, today=TODAY):
    return [w.code for w in selectors.contract_warnings(contract=contract, today=today)]


# --- payment overdue --------------------------------------------------------------------------


def test_payment_due_today_is_not_overdue(own_village):
    contract = make_contract(own_village)
    make_payment(contract, due_date=TODAY, amount_received=Decimal("0"))
    assert "overdue" not in codes(contract)


def test_payment_due_yesterday_unpaid_is_overdue(own_village):
    contract = make_contract(own_village)
    make_payment(contract, due_date=TODAY - DAY, amount_due=Decimal("12000.00"))
    warning = selectors.contract_warnings(contract=contract, today=TODAY)[0]
    assert warning.code == "overdue"
    assert warning.label == "收款逾期"
    assert "12,000.00" in warning.detail


def test_payment_received_in_full_is_not_overdue_but_a_cent_short_is(own_village):
    paid = make_contract(own_village)
    make_payment(paid, due_date=TODAY - DAY, amount_received=Decimal("12000.00"), received_on=TODAY - DAY)
    short = make_contract(own_village)
    make_payment(short, due_date=TODAY - DAY, amount_received=Decimal("11999.99"), received_on=TODAY - DAY)
    assert "overdue" not in codes(paid)
    assert "overdue" in codes(short)
    assert "0.01" in selectors.contract_warnings(contract=short, today=TODAY)[0].detail


def test_contract_payments_state_follows_the_warning_rule(own_village):
    """The contract page's 情况 column (已收清 / 逾期 / 未到期) uses the warning's overdue rule."""
    contract = make_contract(own_village)
    make_payment(contract, due_date=TODAY - DAY * 2, amount_received=Decimal("12000.00"), received_on=TODAY - DAY)
    make_payment(contract, due_date=TODAY - DAY, amount_received=Decimal("11999.99"), received_on=TODAY - DAY)
    make_payment(contract, due_date=TODAY, amount_received=Decimal("0"))
    rows = list(selectors.contract_payments(contract=contract, today=TODAY))
    assert [(p.settled, p.overdue) for p in rows] == [(True, False), (False, True), (False, False)]


# --- term over 20 years -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "warned"),
    [
        (datetime.date(2010, 3, 1), datetime.date(2030, 3, 1), False),  # exactly 20 years
        (datetime.date(2010, 3, 1), datetime.date(2030, 3, 2), True),  # 20 years and a day
        (datetime.date(2010, 3, 1), datetime.date(2030, 2, 28), False),
        (datetime.date(2010, 3, 15), datetime.date(2030, 4, 1), True),  # later month, earlier day
        (datetime.date(2004, 2, 29), datetime.date(2024, 2, 29), False),  # leap day to leap day
        (datetime.date(2004, 2, 29), datetime.date(2024, 3, 1), True),
        (datetime.date(2000, 1, 1), datetime.date(2050, 1, 1), True),
    ],
)
def test_term_over_20_years(own_village, start, end, warned):
    contract = make_contract(own_village, start_date=start, end_date=end)
    assert ("term_over_20y" in codes(contract)) is warned


# --- ending within 90 days --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "warned"),
    [(-1, False), (0, True), (1, True), (90, True), (91, False)],
)
def test_ending_within_90_days(own_village, days, warned):
    contract = make_contract(
        own_village, start_date=datetime.date(2020, 1, 1), end_date=TODAY + datetime.timedelta(days=days)
    )
    assert ("ending_90d" in codes(contract)) is warned


# --- price per 亩 far below the county's median -----------------------------------------------


def _county_villages(county_code: str, n: int):
    return list(Village.objects.filter(township__county__code=county_code).order_by("code")[:n])


def _lease(village, amount: str, *, area="10.00", rtype=ResourceType.ARABLE, **kw):
    resource = make_resource(village, area=Decimal(area), resource_type=rtype)
    dates = {"start_date": datetime.date(2024, 1, 1), "end_date": datetime.date(2030, 12, 31)} | kw
    return make_contract(village, resource=resource, yearly_amount=Decimal(amount), **dates)


@pytest.fixture
def comparables(own_village):
    """Three 耕地 contracts in 娄星区 at 400, 500 and 600 yuan per 亩: the median is 500."""
    villages = _county_villages("431302", 4)[1:]
    return [_lease(v, a) for v, a in zip(villages, ["4000.00", "5000.00", "6000.00"], strict=True)]


def test_exactly_half_the_median_is_not_low(own_village, comparables):
    contract = _lease(own_village, "2500.00")  # 250 per 亩 = half of 500
    assert "price_low" not in codes(contract)


def test_just_under_half_the_median_is_low(own_village, comparables):
    contract = _lease(own_village, "2499.99")
    warning = next(w for w in selectors.contract_warnings(contract=contract, today=TODAY) if w.code == "price_low")
    assert "250.00" in warning.detail and "500.00" in warning.detail
    assert "耕地" in warning.detail


def test_price_compares_per_mu_not_per_contract(own_village, comparables):
    # 20 亩 for 4,999.98 = 249.999 yuan per 亩: low although the total equals a comparable's.
    assert "price_low" in codes(_lease(own_village, "4999.98", area="20.00"))
    assert "price_low" not in codes(_lease(own_village, "5000.00", area="20.00"))


def test_even_number_of_comparables_takes_the_mean_of_the_middle_two(own_village, comparables):
    _lease(_county_villages("431302", 5)[4], "7000.00")  # others: 400 500 600 700 → median 550
    assert "price_low" in codes(_lease(own_village, "2749.99"))
    assert "price_low" not in codes(_lease(own_village, "2750.00"))


def test_other_counties_types_and_ended_contracts_do_not_count(own_village, foreign_village):
    # Only two comparable 耕地 contracts in 娄星区: too few for a median, whatever else exists.
    for v, a in zip(_county_villages("431302", 3)[1:], ["4000.00", "6000.00"], strict=True):
        _lease(v, a)
    for v in _county_villages("431322", 3):
        _lease(v, "9000.00")  # 新化县
    for v in _county_villages("431302", 3)[1:]:
        _lease(v, "9000.00", rtype=ResourceType.FOREST)  # another type
        _lease(v, "9000.00", start_date=datetime.date(2010, 1, 1), end_date=TODAY - DAY)  # ended
    assert "price_low" not in codes(_lease(own_village, "100.00"))


def test_asset_contracts_have_no_price_per_mu(own_village, comparables):
    contract = make_contract(own_village, asset=make_asset(own_village), yearly_amount=Decimal("1.00"))
    assert "price_low" not in codes(contract)


# --- the list ---------------------------------------------------------------------------------


def test_warning_list_is_scoped_and_ordered(
    clerk, reviewer, city_user, own_village, neighbour_village, foreign_village
):
    for village in (own_village, neighbour_village, foreign_village):
        c = make_contract(village, start_date=datetime.date(2000, 1, 1), end_date=TODAY + 10 * DAY)
        make_payment(c, due_date=TODAY - DAY)
    clerk_codes = {
        (w.contract.village.code, w.code) for w in selectors.contract_warning_list(scope=scope_for(clerk), today=TODAY)
    }
    assert clerk_codes == {
        (own_village.code, "overdue"),
        (own_village.code, "term_over_20y"),
        (own_village.code, "ending_90d"),
    }
    county = selectors.contract_warning_list(scope=scope_for(reviewer), today=TODAY)
    assert {w.contract.village.code for w in county} == {own_village.code, neighbour_village.code}
    city = selectors.contract_warning_list(scope=scope_for(city_user), today=TODAY)
    assert [w.contract.village.code for w in city] == sorted(w.contract.village.code for w in city)
    assert len(city) == 9


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_warning_list_query_count_does_not_grow(city_user, comparables):
    scope = scope_for(city_user)
    villages = _county_villages("431302", 30)
    make_payment(make_contract(villages[0]), due_date=TODAY - DAY)
    # Every (contract, rule) pair in order (counts and pages are read from it), the page's
    # contracts, and the four rules' details for that page.
    few = _count_queries(lambda: list(selectors.contract_warning_list(scope=scope, today=TODAY)))
    for v in villages:
        c = _lease(v, "100.00", start_date=datetime.date(2000, 1, 1), end_date=TODAY + 5 * DAY)
        make_payment(c, due_date=TODAY - DAY)
    many = _count_queries(lambda: list(selectors.contract_warning_list(scope=scope, today=TODAY)))
    assert len(selectors.contract_warning_list(scope=scope, today=TODAY)) > 90
    assert few == many == 6


def test_warnings_are_cached_until_a_contract_changes(city_user, other_clerk, own_village, comparables):
    scope = scope_for(city_user)
    contract = make_contract(own_village, start_date=datetime.date(2000, 1, 1), end_date=TODAY + 5 * DAY)
    first = [(w.contract.pk, w.code) for w in selectors.contract_warning_list(scope=scope, today=TODAY)]
    assert (contract.pk, "ending_90d") in first
    # The same list again, page and counts, without a query.
    again = selectors.contract_warning_list(scope=scope, today=TODAY)
    assert _count_queries(lambda: ([(w.contract.pk, w.code) for w in again], again.counts())) == 0
    assert [(w.contract.pk, w.code) for w in again] == first
    # A change to a contract is seen at once.
    Contract.objects.filter(pk=contract.pk).update(end_date=TODAY + 400 * DAY)
    after = [(w.contract.pk, w.code) for w in selectors.contract_warning_list(scope=scope, today=TODAY)]
    assert (contract.pk, "ending_90d") not in after and len(after) == len(first) - 1
    # Another scope's list is its own (the scope is in the key): a clerk elsewhere sees none of these.
    elsewhere = selectors.contract_warning_list(scope=scope_for(other_clerk), today=TODAY)
    assert after and not {w.contract.pk for w in elsewhere} & {cid for cid, _code in after}


def test_warning_pages_and_counts_come_from_the_database(city_user, own_village, comparables):
    """A slice is that part of the whole ordered list; counts per rule add up to its length."""
    scope = scope_for(city_user)
    _lease(own_village, "100.00")
    for v in _county_villages("431302", 12):
        c = make_contract(v, start_date=datetime.date(2000, 1, 1), end_date=TODAY + 5 * DAY)
        make_payment(c, due_date=TODAY - DAY)
    warnings = selectors.contract_warning_list(scope=scope, today=TODAY)
    everything = [(w.contract.pk, w.code, w.detail) for w in warnings]
    assert [(w.contract.pk, w.code, w.detail) for w in warnings[5:17]] == everything[5:17]
    counts = warnings.counts()
    assert sum(counts.values()) == len(everything) and counts["price_low"] > 0
    only_low = selectors.contract_warning_list(scope=scope, today=TODAY, code="price_low")
    assert len(only_low) == counts["price_low"] and {w.code for w in only_low} == {"price_low"}


def test_after_a_write_the_city_gets_the_last_warnings_while_a_task_finds_them(
    city_user, reviewer, own_village, comparables, settings, monkeypatch
):
    settings.FIGURES_RECOMPUTED_BY_WORKER = True  # a worker finds them
    queued = []
    monkeypatch.setattr(data_versions, "_queue", lambda name, kwargs: queued.append(name))
    scope = scope_for(city_user)
    contract = make_contract(own_village, start_date=datetime.date(2000, 1, 1), end_date=TODAY + 5 * DAY)
    first = selectors.contract_warning_list(scope=scope, today=TODAY)
    pairs = [(w.contract.pk, w.code) for w in first]
    assert (contract.pk, "ending_90d") in pairs and first.computed_at and not first.recomputing
    Contract.objects.filter(pk=contract.pk).update(end_date=TODAY + 400 * DAY)
    last = selectors.contract_warning_list(scope=scope, today=TODAY)
    # The last pairs and counts, said to be recomputing; a page shows only what holds now.
    assert len(last) == len(pairs) and last.recomputing and last.computed_at == first.computed_at
    assert queued == [selectors.CITY_WARNINGS_TASK]
    assert (contract.pk, "ending_90d") not in [(w.contract.pk, w.code) for w in last]
    selectors.contract_warning_list(scope=SYSTEM_SCOPE, today=TODAY, refresh=True).counts()  # the worker
    fresh = selectors.contract_warning_list(scope=scope, today=TODAY)
    assert len(fresh) == len(pairs) - 1 and not fresh.recomputing
    # A county's list is smaller, and its reader finds it.
    assert not selectors.contract_warning_list(scope=scope_for(reviewer), today=TODAY).recomputing
    assert queued == [selectors.CITY_WARNINGS_TASK]
