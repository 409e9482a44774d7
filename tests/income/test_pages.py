"""The income pages as each role uses them: scope, forms, conflicts, completeness, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.checks import api_refused, page_refused
from villages import services
from villages.models import IncomeReport, IncomeStatus, Village

from .conftest import LEPING, figures

pytestmark = pytest.mark.django_db
# The report list: session, user, scope; count, rows, status counts; closed years; the year's
# reporting period; the township (the clerk's own, or the one filtered on: the pickers never load
# every unit); the header's unread notifications. The same for 12 villages as for 2,107; without a
# township, one fewer.
LIST_QUERIES = 10


def edit_url(village, year=2024):
    return reverse("income:report_edit", args=[village.code, year])


def detail_url(village, year=2024):
    return reverse("income:report_detail", args=[village.code, year])


def test_clerk_table_lists_own_township(login, clerk, leping_villages, make_report):
    make_report(leping_villages[0], 2024, IncomeStatus.SUBMITTED)
    page = login(clerk).get(reverse("income:report_list"), {"year": 2024})
    assert page.status_code == 200
    assert page.context["paginator"].count == 12
    assert {v.code for v in page.context["object_list"]} == {v.code for v in leping_villages}
    assert page.context["counts"] == {"none": 11, "submitted": 1}
    body = page.content.decode()
    assert "收入填报" in body and "下载 2024 年 Excel 模板" in body


def test_filters_cannot_widen_the_scope(login, clerk, reviewer):
    page = login(clerk).get(reverse("income:report_list"), {"year": 2024, "county": "431322"})
    assert page.context["paginator"].count == 0
    page = login(reviewer).get(reverse("income:report_list"), {"year": 2024, "township": "431322001"})
    assert page.context["paginator"].count == 0
    assert page.context["filterset"].errors


def test_review_list_filters(login, reviewer, leping_villages, make_report):
    make_report(leping_villages[0], 2024, IncomeStatus.SUBMITTED)
    make_report(leping_villages[1], 2024, IncomeStatus.APPROVED, total="40000")
    make_report(leping_villages[2], 2024, IncomeStatus.APPROVED, total="600000")
    client = login(reviewer)
    url = reverse("income:report_list")

    def codes(**params):
        page = client.get(url, {"year": 2024, **params})
        assert page.status_code == 200
        return {v.code for v in page.context["object_list"]}

    assert client.get(url, {"year": 2024}).context["paginator"].count == 233
    assert codes(township=LEPING, status="submitted") == {leping_villages[0].code}
    assert codes(status="approved") == {leping_villages[1].code, leping_villages[2].code}
    assert len(codes(township=LEPING, status="none")) == 9
    assert codes(tier="strong") == {leping_villages[2].code}
    assert leping_villages[1].code in codes(below_line="1") and leping_villages[2].code not in codes(below_line="1")
    assert codes(operating_min="500000") == {leping_villages[2].code}
    # operating_max is exclusive and, like the bands it serves, counts approved reports only.
    assert codes(operating_max="600000") == {leping_villages[1].code}
    assert codes(operating_max="600000.01") == {leping_villages[1].code, leping_villages[2].code}
    assert codes(operating_min="40000", operating_max="600000") == {leping_villages[1].code}
    assert codes(village=leping_villages[0].code) == {leping_villages[0].code}


def test_edit_page_scope(login, clerk, reviewer, city_user, village, foreign_village):
    page_refused(login(clerk).get(edit_url(foreign_village)), 404, hides=[foreign_village.name])
    page = login(clerk).get(edit_url(village))
    assert page.status_code == 200 and page.context["village"] == village
    assert village.name in page.content.decode() and 'name="operating_revenue"' in page.content.decode()
    refusal = "只有本乡镇的填报员可以填报该村的收入。"
    page_refused(login(reviewer).get(edit_url(village)), 403, reason=refusal)
    page_refused(login(reviewer).get(edit_url(foreign_village)), 404, hides=[foreign_village.name])
    page_refused(login(city_user).get(edit_url(village)), 403, reason=refusal)
    assert not IncomeReport.objects.exists()  # looking at the form saves nothing


def test_clerk_saves_a_draft(login, clerk, village):
    client = login(clerk)
    page = client.get(edit_url(village))
    body = page.content.decode()
    assert 'src="/static/villages/income.js"' in body and "income-total" in body
    response = client.post(edit_url(village), {**figures(), "version": 0, "action": "save"})
    assert response.status_code == 302
    report = IncomeReport.objects.get(village=village, year=2024)
    assert (report.status, report.version, report.total_income) == ("draft", 1, Decimal("104500.50"))
    assert report.history.first().history_user == clerk


def test_edit_form_errors_in_chinese(login, clerk, village):
    response = login(clerk).post(
        edit_url(village), {**figures(contracting_revenue="500", operating_revenue="abc"), "version": 0}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "发包及上交收入科目已取消" in errors["contracting_revenue"][0]
    assert "应为数字" in errors["operating_revenue"][0]
    assert not IncomeReport.objects.exists()


def test_edit_conflict_keeps_what_the_user_typed(login, clerk, make_user, village):
    from villages.models import Role

    colleague = make_user(Role.TOWNSHIP_CLERK, township=LEPING)
    services.income_save_draft(user=clerk, village=village, year=2024, data=figures(), version=0)
    client = login(clerk)
    form_version = client.get(edit_url(village)).context["form"].initial["version"]
    # A colleague saves in between.
    services.income_save_draft(
        user=colleague, village=village, year=2024, data=figures(other_income="111"), version=form_version
    )
    response = client.post(
        edit_url(village), {**figures(other_income="222", note="我的说明"), "version": form_version, "action": "save"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "已被他人修改" in form.non_field_errors()[0]
    assert form.data["other_income"] == "222" and form.data["note"] == "我的说明"
    assert response.context["conflict"].other_income == Decimal("111.00")
    assert IncomeReport.objects.get(village=village).other_income == Decimal("111.00")
    # Saving again from the conflict form is a deliberate overwrite of the version now shown.
    response = client.post(edit_url(village), {**form.data.dict(), "action": "save"})
    assert response.status_code == 302
    assert IncomeReport.objects.get(village=village).other_income == Decimal("222.00")


def test_jump_rule_on_the_page(login, clerk, village, make_report):
    make_report(village, 2023, IncomeStatus.APPROVED, total="50000")
    client = login(clerk)
    page = client.get(edit_url(village))
    assert 'data-last-total="50000.00"' in page.content.decode() and "jump-warning" in page.content.decode()
    data = {**figures(operating_revenue="900000"), "version": 0, "action": "submit"}
    response = client.post(edit_url(village), data)
    assert "备注中说明原因" in response.context["form"].errors["note"][0]
    assert not IncomeReport.objects.filter(year=2024).exists()
    response = client.post(edit_url(village), {**data, "note": "新建光伏电站并网发电"})
    assert response.status_code == 302
    assert IncomeReport.objects.get(year=2024).status == IncomeStatus.SUBMITTED


def test_submitted_report_is_read_only_for_the_clerk(login, clerk, village, make_report):
    make_report(village, 2024, IncomeStatus.SUBMITTED)
    response = login(clerk).get(edit_url(village))
    assert response.status_code == 302 and response.url == detail_url(village)
    response = login(clerk).post(edit_url(village), {**figures(), "version": 1, "action": "save"})
    assert "已提交" in response.context["form"].non_field_errors()[0]


def test_detail_page_scope_and_actions(login, clerk, reviewer, other_reviewer, city_user, village, make_report):
    make_report(village, 2024, IncomeStatus.SUBMITTED)
    page_refused(login(other_reviewer).get(detail_url(village)), 404)
    page_refused(login(clerk).get(detail_url(village, 2023)), 404)
    page = login(reviewer).get(detail_url(village))
    assert set(page.context["forms"]) == {"approve", "return"}
    assert set(login(clerk).get(detail_url(village)).context["forms"]) == set()
    # A clerk posting an approval is refused.
    response = login(clerk).post(detail_url(village), {"action": "approve", "version": 1})
    assert response.status_code == 403
    assert IncomeReport.objects.get(village=village).status == IncomeStatus.SUBMITTED
    response = login(reviewer).post(detail_url(village), {"action": "approve", "version": 1})
    assert response.status_code == 302
    assert set(login(city_user).get(detail_url(village)).context["forms"]) == {"reopen"}


def test_return_conflict_keeps_the_typed_reason(login, reviewer, clerk, village, make_report):
    report = make_report(village, 2024, IncomeStatus.SUBMITTED)
    IncomeReport.objects.filter(pk=report.pk).update(version=2)
    response = login(reviewer).post(detail_url(village), {"action": "return", "version": 1, "reason": "补助有误"})
    assert response.status_code == 200
    assert "已被他人修改" in response.context["error"]
    assert response.context["forms"]["return"].data["reason"] == "补助有误"
    assert IncomeReport.objects.get(pk=report.pk).status == IncomeStatus.SUBMITTED


def test_bulk_buttons(login, clerk, reviewer, leping_villages, make_report):
    drafts = [make_report(v, 2024) for v in leping_villages[:3]]
    client = login(clerk)
    page = client.get(reverse("income:report_list"), {"year": 2024})
    assert len(page.context["bulk"]["rows"]) == 3
    post = {"year": 2024, "township": LEPING, **{f"r{r.pk}": r.version for r in drafts}}
    response = client.post(reverse("income:bulk_submit"), post)
    assert response.status_code == 302
    assert IncomeReport.objects.filter(status=IncomeStatus.SUBMITTED).count() == 3
    # The reviewer approves the township from its filtered list.
    client = login(reviewer)
    page = client.get(reverse("income:report_list"), {"year": 2024, "township": LEPING})
    rows = page.context["bulk"]["rows"]
    post = {"year": 2024, "township": LEPING, **{f"r{r.report_id}": r.version for r in rows}}
    client.post(reverse("income:bulk_approve"), post)
    assert IncomeReport.objects.filter(status=IncomeStatus.APPROVED).count() == 3


def test_bulk_approve_refuses_another_county(login, other_reviewer, leping_villages, make_report):
    report = make_report(leping_villages[0], 2024, IncomeStatus.SUBMITTED)
    response = login(other_reviewer).post(
        reverse("income:bulk_approve"), {"year": 2024, "township": LEPING, f"r{report.pk}": 1}
    )
    assert response.status_code == 404
    assert IncomeReport.objects.get(pk=report.pk).status == IncomeStatus.SUBMITTED


def test_completeness(login, clerk, reviewer, city_user, leping_villages, make_report):
    make_report(leping_villages[0], 2024)
    make_report(leping_villages[1], 2024, IncomeStatus.SUBMITTED)
    make_report(leping_villages[2], 2024, IncomeStatus.APPROVED)
    page = login(reviewer).get(reverse("income:completeness"), {"year": 2024})
    townships = {row["code"]: row for row in page.context["townships"]}
    assert len(townships) == 13
    leping = townships[LEPING]
    assert (leping["villages"], leping["no_report"], leping["draft"], leping["submitted"], leping["approved"]) == (
        12,
        9,
        1,
        1,
        1,
    )
    assert [c["code"] for c in page.context["counties"]] == ["431302"]
    assert page.context["totals"]["no_report"] == 230
    city = login(city_user).get(reverse("income:completeness"), {"year": 2024})
    assert len(city.context["counties"]) == 5 and len(city.context["townships"]) == 89
    own = login(clerk).get(reverse("income:completeness"), {"year": 2024})
    assert [t["code"] for t in own.context["townships"]] == [LEPING] and own.context["counties"] == []


def test_menu_per_role(login, clerk, reviewer, agri_user):
    assert "Excel 导入" in login(clerk).get(reverse("home")).content.decode()
    body = login(reviewer).get(reverse("home")).content.decode()
    assert "收入审核" in body and "Excel 导入" not in body
    assert "村级收入" in login(agri_user).get(reverse("home")).content.decode()


def test_village_page_shows_income_history(login, clerk, village, make_report):
    make_report(village, 2023, IncomeStatus.APPROVED, total="92200")
    body = login(clerk).get(reverse("villages:village_detail", args=[village.code])).content.decode()
    assert "9.22" in body and detail_url(village, 2023) in body


def _fill(villages, year, status):
    IncomeReport.objects.bulk_create(
        IncomeReport(village=v, year=year, status=status, operating_revenue=Decimal("80000")) for v in villages
    )


def test_township_table_query_count_is_fixed(login, clerk, leping_villages, django_assert_num_queries):
    client = login(clerk)
    url = reverse("income:report_list")
    client.get(url, {"year": 2024})  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url, {"year": 2024})
    _fill(leping_villages, 2023, IncomeStatus.APPROVED)
    _fill(leping_villages, 2024, IncomeStatus.DRAFT)
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(url, {"year": 2024})
    assert len(page.context["bulk"]["rows"]) == 12


def test_review_list_query_count_same_for_one_township_and_the_city(
    login, city_user, reviewer, django_assert_num_queries
):
    _fill(Village.objects.all(), 2023, IncomeStatus.APPROVED)
    _fill(Village.objects.all(), 2024, IncomeStatus.SUBMITTED)
    url = reverse("income:report_list")
    for user in (city_user, reviewer):
        client = login(user)
        client.get(url, {"year": 2024})
        with django_assert_num_queries(LIST_QUERIES):
            one = client.get(url, {"year": 2024, "township": LEPING})
        with django_assert_num_queries(LIST_QUERIES - 1):
            whole = client.get(url, {"year": 2024})
        assert one.context["paginator"].count == 12
        assert whole.context["paginator"].count == (2107 if user == city_user else 233)
        assert len(one.context["bulk"]["rows"]) == 12


def test_completeness_query_count_is_fixed(login, city_user, clerk, django_assert_num_queries):
    # Session, user, scope, four aggregates, closed year, the year's period, unread notifications;
    # for the city (who may press 催报) today's 催报 too.
    for user, queries in ((city_user, 11), (clerk, 10)):
        client = login(user)
        client.get(reverse("income:completeness"), {"year": 2024})
        with django_assert_num_queries(queries):
            client.get(reverse("income:completeness"), {"year": 2024})


def test_pages_and_api_require_login(client, divisions, village):
    for url in (
        reverse("income:report_list"),
        reverse("income:completeness"),
        reverse("income:upload"),
        reverse("income:template"),
        edit_url(village),
        detail_url(village),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    api_refused(client.get("/api/incomes/"), 403)
