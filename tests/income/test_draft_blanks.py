"""A draft may keep a blank amount: it reads back blank (未填), never 0.00, from the form, the API
and an upload; submitting, approving and importing as approved refuse it, naming the blank field
(“请填写…,没有此项收入请填 0”); the database refuses a submitted or approved report with a blank;
every page showing such a draft renders it as 未填 and no total counts it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from villages import services
from villages.models import IncomeReport, IncomeStatus
from villages.selectors import CITY_CODE, income_unit_stats

from .conftest import LEPING, figures
from .test_excel import row, upload, xlsx

pytestmark = pytest.mark.django_db
OTHER_BLANK = "请填写其他收入,没有此项收入请填 0。"


@pytest.fixture
def blank_draft(clerk, village):
    """A 2024 draft saved through the service with 其他收入 and 补助收入 left blank."""
    return services.income_save_draft(
        user=clerk, village=village, year=2024, data=figures(other_income="", subsidy_income="  "), version=None
    )


# --- saving a draft keeps the blank -------------------------------------------------------------


def test_the_service_keeps_a_blank_and_the_sums_are_blank(blank_draft):
    report = IncomeReport.objects.get(pk=blank_draft.pk)
    assert report.other_income is None and report.subsidy_income is None
    assert report.operating_revenue == Decimal("70000.00")
    # 总收入 needs all five: blank. 经营性收入 needs only the first three, all filled.
    assert report.total_income is None
    assert report.operating_income == Decimal("78000.50")
    assert services.income_blank_fields(report) == ["subsidy_income", "other_income"]


def test_the_form_saves_a_blank_as_blank_and_shows_it_blank(login, clerk, village):
    client = login(clerk)
    url = reverse("income:report_edit", args=[village.code, 2024])
    response = client.post(url, {**figures(other_income=""), "version": 0, "action": "save"})
    assert response.status_code == 302
    report = IncomeReport.objects.get(village=village, year=2024)
    assert report.other_income is None and report.total_income is None
    # The form opens again with the field empty, not "0.00".
    form = client.get(url).context["form"]
    assert form.initial["other_income"] == "" and form.initial["operating_revenue"] == "70000.00"
    assert 'name="other_income" value=' not in client.get(url).content.decode()


def test_the_abolished_account_is_0_not_blank(clerk, village, leping_villages):
    report = services.income_save_draft(
        user=clerk, village=village, year=2024, data=figures(contracting_revenue=""), version=None
    )
    assert report.contracting_revenue == Decimal("0.00")
    before = services.income_save_draft(
        user=clerk, village=leping_villages[1], year=2023, data=figures(contracting_revenue=""), version=None
    )
    assert before.contracting_revenue is None  # an account that still existed in 2023 may be blank


def test_the_api_keeps_a_blank_as_null(api_login, clerk, village):
    api = api_login(clerk)
    data = {**figures(other_income=None), "village": village.code, "year": 2024}
    del data["subsidy_income"]  # omitted on creation: blank too
    created = api.post("/api/incomes/", data, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["other_income"] is None and body["subsidy_income"] is None
    assert body["total_income"] is None and body["operating_income"] == "78000.50"
    url = f"/api/incomes/{body['id']}/"
    assert api.get(url).json()["other_income"] is None
    # "" is a blank as in the form; a partial update keeps the other blank as it is.
    patched = api.patch(url, {"version": 1, "operating_revenue": "", "subsidy_income": "100"}, format="json")
    assert patched.status_code == 200, patched.json()
    body = patched.json()
    assert body["operating_revenue"] is None and body["other_income"] is None and body["subsidy_income"] == "100.00"
    assert body["operating_income"] is None


def test_the_schema_says_the_amounts_and_sums_may_be_null(login, clerk):
    schema = login(clerk).get("/api/schema/?format=json").json()
    report = schema["components"]["schemas"]["IncomeReport"]["properties"]
    for name in (*services.INCOME_AMOUNT_FIELDS, "total_income", "operating_income"):
        assert report[name].get("nullable") is True, name


def test_an_upload_keeps_a_blank_cell_blank_in_the_draft(login, clerk, village, upload_stash):
    client = login(clerk)
    response = upload(client, xlsx([row(village, other=None)]))
    assert response.status_code == 302
    preview = client.get(response.url)
    html = preview.content.decode()
    assert "未填" in html and preview.context["parsed"].preview[0]["total"] is None
    client.post(response.url)
    report = IncomeReport.objects.get(village=village, year=2024)
    assert report.status == IncomeStatus.DRAFT
    assert report.other_income is None and report.total_income is None and report.operating_revenue == 80000


# --- submitting refuses a blank, naming it -------------------------------------------------------


def test_submitting_a_draft_with_blanks_is_refused_naming_them(clerk, blank_draft):
    with pytest.raises(ValidationError) as refused:
        services.income_submit(user=clerk, report=blank_draft, version=blank_draft.version)
    assert refused.value.message_dict == {
        "subsidy_income": ["请填写补助收入,没有此项收入请填 0。"],
        "other_income": [OTHER_BLANK],
    }
    assert IncomeReport.objects.get(pk=blank_draft.pk).status == IncomeStatus.DRAFT


def test_the_detail_page_refuses_to_submit_naming_the_blank(login, clerk, blank_draft, village):
    url = reverse("income:report_detail", args=[village.code, 2024])
    response = login(clerk).post(url, {"action": "submit", "version": blank_draft.version})
    assert response.status_code == 200
    assert "请填写补助收入,没有此项收入请填 0" in response.context["error"]
    assert OTHER_BLANK.rstrip("。") in response.context["error"]
    assert IncomeReport.objects.get(pk=blank_draft.pk).status == IncomeStatus.DRAFT


def test_the_api_refuses_to_submit_naming_the_blank(api_login, clerk, blank_draft):
    response = api_login(clerk).post(
        f"/api/incomes/{blank_draft.pk}/submit/", {"version": blank_draft.version}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["other_income"] == [OTHER_BLANK]
    assert IncomeReport.objects.get(pk=blank_draft.pk).status == IncomeStatus.DRAFT


def test_bulk_submit_stops_naming_village_and_field(login, clerk, blank_draft, village, leping_villages):
    complete = services.income_save_draft(
        user=clerk, village=leping_villages[1], year=2024, data=figures(), version=None
    )
    with pytest.raises(ValidationError) as refused:
        services.income_submit_township(user=clerk, township=village.township, year=2024)
    message = refused.value.messages[0]
    assert f"{village.name}:请填写补助收入、其他收入,没有此项收入请填 0。" in message
    assert "本次未提交任何报表" in message and leping_villages[1].name not in message
    assert IncomeReport.objects.get(pk=complete.pk).status == IncomeStatus.DRAFT
    # The page's button says the same.
    response = login(clerk).post(
        reverse("income:bulk_submit"),
        {"year": 2024, "township": LEPING, f"r{blank_draft.pk}": blank_draft.version},
        follow=True,
    )
    assert "请填写补助收入、其他收入,没有此项收入请填 0" in response.content.decode()
    assert not IncomeReport.objects.filter(status=IncomeStatus.SUBMITTED).exists()


def test_import_as_approved_refuses_a_blank_cell(tmp_path, leping_villages, capsys):
    path = tmp_path / "往年.xlsx"
    path.write_bytes(xlsx([row(leping_villages[0], year=2023), row(leping_villages[1], year=2023, subsidy=None)]))
    with pytest.raises(CommandError):
        call_command("import_incomes", str(path), "--approve")
    assert "第 3 行 [补助收入]:请填写补助收入,没有此项收入请填 0。" in capsys.readouterr().err
    assert not IncomeReport.objects.exists()
    # Without --approve the same file loads drafts that keep the blank.
    call_command("import_incomes", str(path))
    assert IncomeReport.objects.get(village=leping_villages[1], year=2023).subsidy_income is None


def test_the_import_service_refuses_an_approved_row_with_a_blank(leping_villages):
    row_ = services.IncomeImportRow(
        row=2,
        village_id=leping_villages[0].pk,
        year=2023,
        amounts={**dict.fromkeys(services.INCOME_AMOUNT_FIELDS, Decimal("1.00")), "other_income": None},
        note="",
        report_id=None,
        version=None,
    )
    with pytest.raises(ValidationError) as refused:
        services.income_import(user=services.system_actor(), rows=[row_], approve=True)
    assert refused.value.messages == [f"第 2 行:{OTHER_BLANK}"]
    assert services.income_import(user=services.system_actor(), rows=[row_]).created == 1


# --- the database holds the rule ----------------------------------------------------------------


@pytest.mark.parametrize("status", [IncomeStatus.SUBMITTED, IncomeStatus.APPROVED])
def test_the_database_refuses_a_submitted_or_approved_report_with_a_blank(blank_draft, village, status):
    with pytest.raises(IntegrityError), transaction.atomic():
        IncomeReport.objects.filter(pk=blank_draft.pk).update(status=status)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncomeReport.objects.create(village=village, year=2023, status=status, other_income=None)
    # A draft may.
    IncomeReport.objects.create(village=village, year=2023, other_income=None)


def test_the_database_refuses_a_blank_abolished_account(village):
    with pytest.raises(IntegrityError), transaction.atomic():
        IncomeReport.objects.create(village=village, year=2024, contracting_revenue=None)
    IncomeReport.objects.create(village=village, year=2023, contracting_revenue=None)


# --- pages with such a draft -----------------------------------------------------------------------


def test_pages_show_the_blank_as_unfilled(login, clerk, reviewer, city_user, blank_draft, village):
    clerk_client = login(clerk)
    pages = {
        clerk_client: [
            reverse("income:report_list") + "?year=2024",
            reverse("income:report_detail", args=[village.code, 2024]),
            reverse("villages:village_detail", args=[village.code]),
            reverse("home"),
        ],
        login(reviewer): [
            reverse("income:report_list") + f"?year=2024&township={LEPING}",
            reverse("dashboards:village", args=[village.code]),
        ],
    }
    for client, urls in pages.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "未填" in html, url
            assert "None" not in html.replace("display: none", ""), url
    detail = clerk_client.get(reverse("income:report_detail", args=[village.code, 2024]))
    amounts = dict(detail.context["amounts"])
    assert amounts["其他收入"] is None and amounts["经营收入"] == Decimal("70000.00")
    trail = detail.context["trail"][0]["changes"]
    assert {"field": "其他收入", "old": "", "new": "未填"} not in trail  # a first save lists what was filled
    city = login(city_user)
    # Pages that count or sort the reports: the draft is there (草稿), its blank sorts last, nothing breaks.
    for url, shown in (
        (reverse("dashboards:city") + "?year=2024", "2024"),
        (reverse("dashboards:township", args=[LEPING]) + "?year=2024", village.name),
        (reverse("income:completeness") + "?year=2024", "乐坪街道"),
        (reverse("income:report_list") + "?year=2024&sort=-total_income", "未填"),
        (reverse("income:report_list") + "?year=2024&sort=other_income", "未填"),
    ):
        response = city.get(url)
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url


def test_the_audit_trail_shows_a_cleared_amount_as_unfilled(clerk, village):
    report = services.income_save_draft(user=clerk, village=village, year=2024, data=figures(), version=None)
    report = services.income_save_draft(
        user=clerk, village=village, year=2024, data=figures(other_income=""), version=report.version
    )
    from villages.selectors import income_audit_trail

    last = income_audit_trail(report=report)[-1]["changes"]
    assert {"field": "其他收入", "old": "1,500.00", "new": "未填"} in last


def test_no_total_counts_a_draft(clerk, blank_draft, leping_villages, make_report):
    make_report(leping_villages[1], 2024, IncomeStatus.APPROVED, total="60000")
    stats = income_unit_stats(year=2024, by="city")[CITY_CODE]
    assert stats["draft"] == 1 and stats["approved"] == 1
    assert stats["sum_total"] == Decimal("60000.00") and stats["sum_operating"] == Decimal("60000.00")
