"""Pages: every path scoped (404 outside), clerks write through forms, fixed query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset, AssetStatus, Contract, Resource, ResourceStatus, Revitalisation
from tests.checks import page_refused, workbook_rows
from villages.models import Village

from .conftest import make_asset, make_contract, make_fund, make_payment, make_resource

pytestmark = pytest.mark.django_db

LISTS = [
    "assets:asset_list",
    "assets:resource_list",
    "assets:contract_list",
    "assets:fund_list",
    "assets:warning_list",
    "assets:revitalisation_summary",
]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    ("who", "visible"),
    [("clerk", {"own"}), ("reviewer", {"own", "neighbour"}), ("city_user", {"own", "neighbour", "foreign"})],
)
def test_list_pages_show_only_the_scope(request, login, ledger, name, who, visible):
    page = login(request.getfixturevalue(who)).get(reverse(name))
    assert page.status_code == 200
    html = page.content.decode()
    for key, rows in ledger.items():
        if name in ("assets:warning_list", "assets:revitalisation_summary"):
            continue
        shown = rows["village"].name in html
        assert shown is (key in visible), (key, name)


def test_filters_cannot_widen_the_scope(login, clerk, ledger):
    page = login(clerk).get(reverse("assets:asset_list"), {"county": "431322"})
    assert page.context["paginator"].count == 0
    assert "county" in page.context["filterset"].errors


def test_list_filters(login, city_user, ledger, own_village):
    idle = make_asset(own_village, status=AssetStatus.IDLE)
    revitalised = make_asset(own_village, status=AssetStatus.SELF_USE)
    Revitalisation.objects.create(
        village=own_village, asset=revitalised, revitalised_on=datetime.date(2024, 1, 1), became="民宿", yearly_income=1
    )
    client = login(city_user)
    url = reverse("assets:asset_list")
    assert list(client.get(url, {"status": "idle"}).context["object_list"]) == [idle]
    assert list(client.get(url, {"revitalised": "1"}).context["object_list"]) == [revitalised]
    assert client.get(url, {"village": own_village.code}).context["paginator"].count == 3
    assert client.get(url, {"township": "431302002"}).context["paginator"].count == 1
    assert client.get(url, {"county": "431322"}).context["paginator"].count == 1
    contracts = client.get(reverse("assets:contract_list"), {"county": "431302", "status": "active"})
    assert contracts.context["paginator"].count == 2


def _label(record) -> str:
    """What names a record on its pages: a contract's number, the others' names."""
    return record.number if isinstance(record, Contract) else record.name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("assets:asset_detail", "asset"),
        ("assets:resource_detail", "resource"),
        ("assets:contract_detail", "contract"),
        ("assets:fund_detail", "fund"),
    ],
)
def test_record_pages_404_outside_scope(login, clerk, neighbour_clerk, reviewer, ledger, name, key):
    own, neighbour, foreign = (ledger[where][key] for where in ("own", "neighbour", "foreign"))
    client = login(clerk)
    page = client.get(reverse(name, args=[own.pk]))
    assert page.status_code == 200
    assert _label(own) in page.content.decode() and own.village.name in page.content.decode()
    for record in (neighbour, foreign):
        page_refused(client.get(reverse(name, args=[record.pk])), 404, hides=[_label(record), record.village.name])
    client = login(reviewer)
    page = client.get(reverse(name, args=[neighbour.pk]))
    assert page.status_code == 200 and _label(neighbour) in page.content.decode()
    page_refused(client.get(reverse(name, args=[foreign.pk])), 404, hides=[_label(foreign), foreign.village.name])


def test_village_ledger_and_export_scoped(login, clerk, neighbour_clerk, reviewer, ledger):
    own, neighbour = ledger["own"], ledger["neighbour"]
    clerk_client = login(clerk)
    page = clerk_client.get(reverse("assets:village_ledger", args=[own["village"].code])).content.decode()
    assert own["asset"].name in page and own["contract"].number in page and own["fund"].name in page
    assert neighbour["asset"].name not in page
    cells = {
        cell
        for row in workbook_rows(clerk_client.get(reverse("assets:village_export", args=[own["village"].code])))
        for cell in row
    }
    assert {own["asset"].name, own["resource"].name, own["contract"].number} <= cells
    assert neighbour["asset"].name not in cells
    for url_name in ("assets:village_ledger", "assets:village_export"):
        response = clerk_client.get(reverse(url_name, args=[neighbour["village"].code]))
        page_refused(response, 404, hides=[neighbour["village"].name, neighbour["asset"].name])
    reviewer_client = login(reviewer)
    page = reviewer_client.get(reverse("assets:village_ledger", args=[neighbour["village"].code])).content.decode()
    assert neighbour["asset"].name in page and neighbour["contract"].number in page
    cells = {
        c
        for row in workbook_rows(
            reviewer_client.get(reverse("assets:village_export", args=[neighbour["village"].code]))
        )
        for c in row
    }
    assert neighbour["asset"].name in cells and own["asset"].name not in cells


ENTER_REFUSED = "只有本乡镇(街道)的填报员可以录入该村(社区)的三资台账。"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("assets:asset_edit", "asset"),
        ("assets:resource_edit", "resource"),
        ("assets:contract_edit", "contract"),
        ("assets:fund_edit", "fund"),
        ("assets:fund_balance", "fund"),
        ("assets:payment_create", "contract"),
    ],
)
def test_edit_forms_clerk_only(login, clerk, reviewer, city_user, ledger, name, key):
    own, neighbour = ledger["own"][key], ledger["neighbour"][key]
    before = _ledger_state()
    form = login(clerk).get(reverse(name, args=[own.pk]))
    assert form.status_code == 200 and "<form" in form.content.decode()
    assert _label(own) in form.content.decode()
    page_refused(login(clerk).get(reverse(name, args=[neighbour.pk])), 404, hides=[_label(neighbour)])
    page_refused(login(reviewer).get(reverse(name, args=[own.pk])), 403, reason=ENTER_REFUSED)
    page_refused(login(city_user).post(reverse(name, args=[own.pk]), {}), 403, reason=ENTER_REFUSED)
    assert _ledger_state() == before  # nothing saved by any of them


def _ledger_state():
    from assets.models import ContractPayment, Fund, FundBalance

    return [
        list(model.objects.order_by("pk").values())
        for model in (Asset, Resource, Contract, ContractPayment, Fund, FundBalance)
    ]


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("assets:asset_create", "name"),
        ("assets:resource_create", "name"),
        ("assets:contract_create", "number"),
        ("assets:fund_create", "name"),
    ],
)
def test_create_forms_scoped(login, clerk, reviewer, own_village, neighbour_village, name, field):
    form = login(clerk).get(reverse(name, args=[own_village.code]))
    assert form.status_code == 200
    assert f'name="{field}"' in form.content.decode() and own_village.name in form.content.decode()
    page_refused(login(clerk).get(reverse(name, args=[neighbour_village.code])), 404, hides=[neighbour_village.name])
    page_refused(login(reviewer).get(reverse(name, args=[own_village.code])), 403, reason=ENTER_REFUSED)
    page_refused(login(reviewer).post(reverse(name, args=[own_village.code]), {field: "越权录入"}), 403)
    assert _ledger_state() == [[], [], [], [], [], []]


def test_clerk_records_asset_and_leases_it_through_the_forms(login, clerk, own_village):
    client = login(clerk)
    response = client.post(
        reverse("assets:asset_create", args=[own_village.code]),
        {
            "code": "ZC-900",
            "name": "集体厂房",
            "nature": "operating",
            "category": "building",
            "location": "三组",
            "acquired_on": "2018-06-01",
            "original_value": "600000.00",
            "book_value": "480000.00",
            "status": "self_use",
        },
    )
    asset = Asset.objects.get(village=own_village, code="ZC-900")
    assert response.status_code == 302 and response["Location"] == reverse("assets:asset_detail", args=[asset.pk])
    response = client.post(
        reverse("assets:contract_create", args=[own_village.code]),
        {
            "number": "HT2025-01",
            "asset": asset.pk,
            "counterparty": "娄底市某商贸有限公司",
            "method": "auction",
            "start_date": "2025-01-01",
            "end_date": "2029-12-31",
            "yearly_amount": "36000.00",
            "schedule": "on",
        },
    )
    contract = Contract.objects.get(number="HT2025-01")
    assert response.status_code == 302
    assert contract.payments.count() == 5
    page = client.get(reverse("assets:contract_detail", args=[contract.pk]))
    html = page.content.decode()
    assert "收款逾期" in html  # the 2025-01-01 instalment is unpaid and long past
    assert "新建合同" in html  # history
    page = client.get(reverse("assets:asset_detail", args=[asset.pk]))
    assert "签订合同 HT2025-01,状态改为出租" in page.content.decode()


@pytest.mark.parametrize("lease", ["neither", "both"])
def test_contract_needs_one_asset_or_one_resource(login, clerk, own_village, lease):
    asset, resource = make_asset(own_village), make_resource(own_village)
    data = {
        "number": "HT2025-09",
        "counterparty": "某合作社",
        "method": "auction",
        "start_date": "2025-01-01",
        "end_date": "2026-12-31",
        "yearly_amount": "1000.00",
    }
    if lease == "both":
        data.update(asset=asset.pk, resource=resource.pk)
    response = login(clerk).post(reverse("assets:contract_create", args=[own_village.code]), data)
    assert response.status_code == 200
    assert "合同须且只能对应一项资产或一项资源。" in response.content.decode()
    assert not Contract.objects.filter(number="HT2025-09").exists()


def test_form_errors_are_shown_and_nothing_saved(login, clerk, own_village):
    response = login(clerk).post(
        reverse("assets:asset_create", args=[own_village.code]),
        {
            "code": "ZC-901",
            "name": "x",
            "nature": "operating",
            "category": "building",
            "original_value": "100.00",
            "book_value": "200.00",
            "status": "self_use",
        },
    )
    assert response.status_code == 200
    assert "账面价值应在 0 与原值之间。" in response.content.decode()
    assert not Asset.objects.filter(code="ZC-901").exists()


def test_revitalise_through_the_form(login, clerk, city_user, own_village):
    school = make_asset(own_village, status=AssetStatus.IDLE, name="原村小学")
    response = login(clerk).post(
        reverse("assets:asset_revitalise", args=[school.pk]),
        {
            "revitalised_on": "2024-09-01",
            "became": "农耕文化研学实践教育基地",
            "new_status": "self_use",
            "yearly_income": "100000.00",
        },
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.status == AssetStatus.SELF_USE
    page = login(city_user).get(reverse("assets:revitalisation_summary"))
    lx = next(c for c in page.context["counties"] if c["code"] == "431302")
    assert lx["revitalised_count"] == 1 and lx["revitalised_income"] == Decimal("100000.00")
    assert "农耕文化研学实践教育基地" in page.content.decode()


def test_delete_asset_with_contract_is_refused(login, clerk, ledger):
    asset = ledger["own"]["asset"]
    response = login(clerk).post(reverse("assets:asset_delete", args=[asset.pk]))
    assert response.status_code == 302
    assert Asset.objects.filter(pk=asset.pk).exists()
    spare = make_resource(ledger["own"]["village"])
    login(clerk).post(reverse("assets:resource_delete", args=[spare.pk]))
    assert not Resource.objects.filter(pk=spare.pk).exists()


def test_warning_button_for_city_and_county_only(login, clerk, reviewer, city_user, own_village):
    contract = make_contract(own_village)
    make_payment(contract, due_date=datetime.date(2025, 1, 1))
    url = reverse("assets:warning_list")
    for user in (reviewer, city_user):
        html = login(user).get(url).content.decode()
        assert contract.number in html
        assert ('name="warning" value="overdue"' in html) or ("整改模块未启用" in html)
    html = login(clerk).get(url).content.decode()
    assert contract.number in html
    assert 'name="warning"' not in html and "转为问题线索" not in html


def test_warning_list_filter_by_code(login, city_user, own_village):
    overdue = make_contract(own_village)
    make_payment(overdue, due_date=datetime.date(2025, 1, 1))
    long = make_contract(own_village, start_date=datetime.date(2000, 1, 1), end_date=datetime.date(2040, 1, 1))
    page = login(city_user).get(reverse("assets:warning_list"), {"code": "term_over_20y"})
    assert [w.contract for w in page.context["page_obj"]] == [long]
    assert dict((c, n) for c, _l, n in page.context["counts"])["overdue"] == 1


# --- fixed query counts -----------------------------------------------------------------------


def _fill(villages, n_each):
    for village in villages:
        for _ in range(n_each):
            asset = make_asset(village)
            make_resource(village, status=ResourceStatus.IDLE)
            contract = make_contract(village, asset=asset)
            make_payment(contract)
            make_fund(village)
        Revitalisation.objects.create(
            village=village,
            asset=make_asset(village),
            revitalised_on=datetime.date(2024, 1, 1),
            became="x",
            yearly_income=1,
        )


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_fixed_query_count(login, reviewer, django_assert_num_queries, name):
    villages = list(Village.objects.filter(township__county__code="431302").order_by("code")[:12])
    client = login(reviewer)
    _fill(villages[:1], 1)
    client.get(reverse(name))  # warm up session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the warnings computed, not read from the cache (the data changes below anyway)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    _fill(villages[1:], 3)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_village_ledger_fixed_query_count(login, clerk, own_village, django_assert_num_queries):
    client = login(clerk)
    _fill([own_village], 1)
    client.get(reverse("assets:village_ledger", args=[own_village.code]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the warnings computed, not read from the cache (the data changes below anyway)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("assets:village_ledger", args=[own_village.code]))
    _fill([own_village], 8)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("assets:village_ledger", args=[own_village.code]))
    assert len(page.context["assets"]) == 11  # 1 + 8 leased, 2 revitalised


def test_warning_button_posts_a_clue_to_rectification(login, reviewer, own_village):
    """The button's form, posted as rendered, reaches rectification and creates the clue."""
    # A missing URL is a failure, not a skip: the button would post nowhere.
    action = reverse("rectification:clue_from_warning")
    from rectification.models import Clue

    contract = make_contract(own_village)
    make_payment(contract, due_date=datetime.date(2025, 1, 1))
    client = login(reviewer)
    html = client.get(reverse("assets:village_ledger", args=[own_village.code])).content.decode()
    assert f'action="{action}"' in html
    response = client.post(action, {"contract": contract.pk, "warning": "overdue"})
    assert response.status_code == 302
    assert Clue.objects.filter(contract=contract, warning_code="overdue").exists()


def test_receipt_and_balance_changes_show_in_history(login, clerk, ledger):
    client = login(clerk)
    contract, fund = ledger["own"]["contract"], ledger["own"]["fund"]
    payment = contract.payments.get()
    response = client.post(
        reverse("assets:payment_edit", args=[payment.pk]),
        {
            "due_date": "2025-01-01",
            "amount_due": "12000.00",
            "amount_received": "12000.00",
            "received_on": "2025-01-05",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("assets:contract_detail", args=[contract.pk])).content.decode()
    assert "登记收款" in html and "2025-01-05" in html
    response = client.post(reverse("assets:fund_balance", args=[fund.pk]), {"year": "2025", "balance": "88.80"})
    assert response.status_code == 302
    html = client.get(reverse("assets:fund_detail", args=[fund.pk])).content.decode()
    assert "登记 2025 年末余额" in html and "88.80" in html


@pytest.mark.parametrize("name", LISTS)
def test_lists_link_the_village_name_to_its_file(login, clerk, ledger, own_village, name):
    today = timezone.localdate()
    # A warning (ending within 90 days) and a 盘活 record, so every list has a row of the village.
    make_contract(own_village, start_date=today - datetime.timedelta(days=300), end_date=today)
    Revitalisation.objects.create(
        village=own_village,
        asset=make_asset(own_village, status=AssetStatus.SELF_USE),
        revitalised_on=datetime.date(2024, 1, 1),
        became="民宿",
        yearly_income=1,
    )
    client = login(clerk)
    html = client.get(reverse(name)).content.decode()
    file_url = reverse("dashboards:village", args=[own_village.code])
    assert file_url == f"/dashboard/village/{own_village.code}/"
    assert f'<a href="{file_url}" title="一村一档">{own_village.name}</a>' in html
    # The village's ledger stays one click away, and the file opens for the user who sees the list.
    assert f'<a href="{reverse("assets:village_ledger", args=[own_village.code])}">三资台账</a>' in html
    page = client.get(file_url)
    assert page.status_code == 200
    assert own_village.name in page.content.decode()
