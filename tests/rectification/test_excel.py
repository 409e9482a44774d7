"""Excel: the clue ledger export (codes as text, formulas as text) and the all-or-nothing import."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from loudi_portal.exports import export_build
from loudi_portal.models import ExportJob, ExportStatus, UploadPreview
from rectification import services
from rectification.excel import IMPORT_COLUMNS
from rectification.models import Clue, ClueSource, InspectionKind, SelfInspectionCampaign

pytestmark = pytest.mark.django_db
HEADER = ["村(社区)代码", "问题类别", "问题描述", "涉及金额(元)", "整改责任人", "发现日期", "整改期限"]


def workbook(rows, header=HEADER, name="线索.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text by the user, not a formula
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def campaign(city_user, today):
    return services.campaign_create(
        user=city_user, name="测试自查", year=today.year, started_on=today - timedelta(days=30), deadline=today
    )


def good_rows(village, today):
    return [
        [
            village.code,
            "财务管理",
            "白条入账 3 笔",
            1200.5,
            "报账员",
            today - timedelta(days=3),
            today + timedelta(days=30),
        ],
        [
            int(village.code),
            "合同管理",
            '=HYPERLINK("http://x")',
            "0",
            "村主任",
            None,
            (today + timedelta(days=9)).isoformat(),
        ],
    ]


def test_import_of_a_campaigns_list(clerk, campaign, village, today):
    clues = services.clue_import(user=clerk, file=workbook(good_rows(village, today)), campaign=campaign)
    assert len(clues) == 2
    stored = Clue.objects.order_by("code")
    assert {c.source for c in stored} == {ClueSource.SELF}
    assert {c.campaign_id for c in stored} == {campaign.pk}
    assert str(stored[0].amount_involved) == "1200.50"
    assert stored[1].found_on == today and stored[1].description.startswith("=HYPERLINK")
    assert stored[0].history.first().history_change_reason == "Excel 导入线索(测试自查)"
    assert len({c.code for c in stored}) == 2


def test_one_bad_row_imports_nothing_and_names_row_and_column(clerk, campaign, village, other_village, today):
    rows = good_rows(village, today) + [
        [other_village.code, "财务管理", "越权", 1, "某人", None, today],
        ["4313020010", "审计问题", "", -5, "", None, "明天"],
    ]
    preview = services.clue_import_preview(user=clerk, file=workbook(rows), campaign=campaign)
    assert not preview.ok
    problems = {(p.row, p.column): p.reason for p in preview.problems}
    assert "自查自纠线索由本乡镇填报员登记" in problems[(4, "A4")]
    assert "不是 12 位区划代码" in problems[(5, "A5")]
    assert "不是六大类问题之一" in problems[(5, "B5")]
    assert "不是有效日期" in problems[(5, "G5")]
    with pytest.raises(Exception) as exc:
        services.clue_import(user=clerk, file=workbook(rows), campaign=campaign)
    assert "第 4 行" in str(exc.value)
    assert not Clue.objects.exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ([*HEADER, "备注2"], "未知的列“备注2”"),
        (HEADER[:-1], "缺少必填列“整改期限”"),
        ([*HEADER, "问题类别"], "重复"),
    ],
)
def test_header_problems(clerk, campaign, village, today, header, message):
    preview = services.clue_import_preview(user=clerk, file=workbook([], header=header), campaign=campaign)
    assert any(message in p.reason for p in preview.problems)


def test_not_xlsx_and_too_large_are_refused(clerk, campaign, settings):
    preview = services.clue_import_preview(user=clerk, file=SimpleUploadedFile("a.csv", b"a,b"), campaign=campaign)
    assert "不是 Excel" in preview.problems[0].reason
    fake = SimpleUploadedFile("a.xlsx", b"not a zip")
    assert "无法读取" in services.clue_import_preview(user=clerk, file=fake, campaign=campaign).problems[0].reason
    settings.UPLOAD_MAX_BYTES = 10
    big = workbook([])
    assert "超过" in services.clue_import_preview(user=clerk, file=big, campaign=campaign).problems[0].reason


def test_duplicate_rows_are_refused(clerk, campaign, village, today):
    row = [village.code, "财务管理", "同一问题", 1, "x", None, today]
    preview = services.clue_import_preview(user=clerk, file=workbook([row, row]), campaign=campaign)
    assert [p.reason for p in preview.problems] == ["问题描述:与第 2 行是同一村的同一问题,重复了。"]


def test_inspection_import_checks_coverage(reviewer, inspection, village, other_village, today):
    rows = [[other_village.code, "财务管理", "x", 1, "y", inspection.date, today]]
    preview = services.clue_import_preview(user=reviewer, file=workbook(rows), inspection=inspection)
    assert not preview.ok
    rows = [[village.code, "工程项目", "未招标", "2,000.00", "y", inspection.date, today + timedelta(days=5)]]
    clues = services.clue_import(user=reviewer, file=workbook(rows), inspection=inspection)
    assert clues[0].source == ClueSource.UNANNOUNCED and clues[0].inspection == inspection


def test_import_page_preview_then_confirm(login, clerk, campaign, village, today, media_root):
    client = login(clerk)
    page = client.post(
        reverse("rectification:clue_import"),
        {"target": f"campaign:{campaign.pk}", "file": workbook(good_rows(village, today))},
    )
    assert page.status_code == 200 and page.context["preview"].ok
    assert not Clue.objects.exists()  # a preview saves nothing
    token = page.context["token"]
    assert UploadPreview.objects.filter(kind="rectification").count() == 1
    done = client.post(reverse("rectification:clue_import"), {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert Clue.objects.count() == 2
    # The previewed file waited in the database (any app server may take the confirmation); now gone.
    assert not UploadPreview.objects.filter(kind="rectification").exists()
    # The same token cannot import twice.
    client.post(reverse("rectification:clue_import"), {"confirm": "1", "token": token})
    assert Clue.objects.count() == 2


def test_import_page_lists_every_problem(login, clerk, campaign, village, today):
    rows = [[village.code, "财务管理", "", 1, "x", None, today], ["bad", "财务管理", "x", 1, "x", None, today]]
    page = login(clerk).post(
        reverse("rectification:clue_import"), {"target": f"campaign:{campaign.pk}", "file": workbook(rows)}
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "第 2 行" in text and "第 3 行" in text and "未导入任何数据" in text
    assert not Clue.objects.exists()


def test_template_download_has_the_columns(login, clerk):
    response = login(clerk).get(reverse("rectification:clue_import_template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == IMPORT_COLUMNS


def test_ledger_export(login, reviewer, clerk, closed_clue, make_clue, neighbour_village, export_download):
    evil = make_clue(village_=neighbour_village)
    Clue.objects.filter(pk=evil.pk).update(description="=cmd|' /C calc'!A0", responsible_person="+1-2")
    response = export_download(login(reviewer), reverse("rectification:clue_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in ws[1]]
    assert header[:5] == ["线索编号", "县市区", "乡镇(街道)", "村(社区)代码", "村(社区)"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert len(rows) == 2
    closed = rows[closed_clue.code]
    code_cell = closed[3]
    assert code_cell.data_type == "s" and code_cell.value == closed_clue.village.code and code_cell.number_format == "@"
    assert closed[9].value == 12000 and closed[9].number_format == "#,##0.00"
    assert closed[14].value == "已销号"
    evil_row = rows[evil.code]
    assert evil_row[8].data_type == "s" and evil_row[8].value == "=cmd|' /C calc'!A0"
    assert evil_row[11].data_type == "s" and evil_row[11].value == "+1-2"
    # A clerk's (one township's) ledger is small and downloads at once, holding only the
    # township's clues, whatever the filter asks for.
    mine = login(clerk).get(reverse("rectification:clue_export"), {"county": "431302"})
    assert mine.status_code == 200 and mine["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [r[0].value for r in load_workbook(io.BytesIO(mine.content)).active.iter_rows(min_row=2)] == [
        closed_clue.code
    ]


def test_county_ledger_is_an_export_job_not_written_in_the_request(
    login, reviewer, clue, django_capture_on_commit_callbacks
):
    """A county's or the city's ledger is large: the request records an export job with the list's
    filters and returns at once; the workbook is the Celery task's work."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = login(reviewer).get(reverse("rectification:clue_export"), {"status": "pending", "q": "鱼塘"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export_job", args=[job.pk])
    assert job.kind == "clue_ledger" and job.user == reviewer and job.status == ExportStatus.QUEUED
    assert QueryDict(job.params["query"]) == QueryDict("status=pending&q=%E9%B1%BC%E5%A1%98")
    assert job.filename.startswith("问题线索台账-娄星区-") and not job.file
    assert len(callbacks) == 1  # the task, sent once the job is committed


def test_ledger_job_applies_the_filters_and_the_scope(
    login, reviewer, other_reviewer, city_user, clue, make_clue, other_village, neighbour_village, export_download
):
    """The job writes what the list shows for the same query and the same user: a filter narrows it,
    and a county reviewer's job never holds another county's clues."""
    xinhua = services.inspection_create(
        user=other_reviewer,
        kind=InspectionKind.UNANNOUNCED,
        date=clue.found_on,
        unit="新化县纪委监委暗访组",
        county=other_village.township.county,
        findings="暗访发现账务问题。",
    )
    elsewhere = make_clue(user=other_reviewer, village_=other_village, inspection_=xinhua)
    near = make_clue(village_=neighbour_village)

    def codes(client, data=None):
        response = export_download(client, reverse("rectification:clue_export"), data)
        ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        return sorted(r[0].value for r in ws.iter_rows(min_row=2))

    assert codes(login(reviewer)) == sorted([clue.code, near.code])
    assert codes(login(reviewer), {"village": neighbour_village.code}) == [near.code]
    assert codes(login(city_user), {"county": "431322"}) == [elsewhere.code]
    assert codes(login(city_user)) == sorted([clue.code, near.code, elsewhere.code])


def test_ledger_export_query_count_does_not_grow(
    login, clerk, reviewer, clue, make_clue, neighbour_village, django_assert_num_queries
):
    """The export's rows (village, township, county, inspection, 销号人) come in with the clues:
    the same queries for 1 clue or 7, in the request (a township) and in the job (a county)."""
    client = login(clerk)
    url = reverse("rectification:clue_export")
    # session, user, official, clues
    with django_assert_num_queries(4):
        one = client.get(url)

    def build() -> int:
        job = ExportJob.objects.create(user=reviewer, kind="clue_ledger", params={"query": ""}, filename="x.xlsx")
        with CaptureQueriesContext(connection) as captured:
            built = export_build(job_id=job.pk)
        assert built.status == ExportStatus.DONE, built.error
        with built.file.open("rb") as handle:
            assert load_workbook(handle).active.max_row == 1 + Clue.objects.count()
        return len(captured)

    job_queries = build()
    for _ in range(3):
        make_clue()
        make_clue(village_=neighbour_village)
    with django_assert_num_queries(4):
        many = client.get(url)
    assert build() == job_queries
    assert load_workbook(io.BytesIO(one.content)).active.max_row == 2
    assert load_workbook(io.BytesIO(many.content)).active.max_row == 5


def test_cell_helpers():
    from loudi_portal.xlsx import cell_date
    from loudi_portal.xlsx import division_code as cell_code

    assert cell_code(431302001001) == "431302001001"
    assert cell_code(431302001001.0) == "431302001001"
    assert cell_code(" 431302001001 ") == "431302001001"
    assert cell_code("43130200100") is None
    assert cell_date("2024/5/31") == date(2024, 5, 31)
    assert cell_date("2024年5月31日") == date(2024, 5, 31)
    with pytest.raises(ValueError):
        cell_date("下周")


def test_campaign_is_for_the_org_department(clerk, reviewer, today):
    from django.core.exceptions import PermissionDenied

    for user in (clerk, reviewer):
        with pytest.raises(PermissionDenied):
            services.campaign_create(user=user, name="x", year=2024, started_on=today, deadline=today)
    assert not SelfInspectionCampaign.objects.exists()


def test_hostile_clue_files_are_refused_quickly(clerk, campaign):
    from tests.portal import hostile

    for content, message in (
        (hostile.claims_whole_grid(HEADER), "文件超过 5000 行"),
        (hostile.huge_shared_string(HEADER), "文件解压后过大"),
        (hostile.uncomputed_formula(HEADER, "B2", hostile.text("A2", "431302001001")), "公式没有计算结果"),
    ):
        with hostile.within(2):
            preview = services.clue_import_preview(
                user=clerk, file=SimpleUploadedFile("线索.xlsx", content), campaign=campaign
            )
        assert message in preview.problems[0].reason and not preview.ok
    assert not Clue.objects.exists()
