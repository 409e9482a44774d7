"""Excel import (through the guarded reader, with a preview) and export of teams and students."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from organisation import excel, services
from organisation.models import Student, StudentStatus, TeamMember, WorkTeam
from tests.checks import page_refused
from villages.models import Township, Village


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def workbook(header, rows, name="导入.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def villages(divisions):
    return list(Village.objects.filter(township__code="431302001").order_by("code")[:2])


def team_rows(villages):
    a, b = villages
    return [
        (
            "GZD901",
            "市财政局驻街心社区工作队",
            "市财政局",
            a.code,
            "2024-04-01",
            "张三",
            "第一书记",
            "市财政局科长",
            "13912345678",
        ),
        ("GZD901", "市财政局驻街心社区工作队", "市财政局", a.code, "2024-04-01", "李四", "队员", "", ""),
        ("GZD902", "市教育局工作队", "市教育局", b.code, "2024-04-01", "王五", "队长", "", ""),
    ]


def test_team_import_previews_then_saves_every_team(villages, city_user):
    rows = team_rows(villages)
    preview = services.team_import(user=city_user, file=workbook(excel.TEAM_IMPORT_COLUMNS, rows), dry_run=True)
    assert preview.ok and [r["code"] for r in preview.rows] == ["GZD901", "GZD902"]
    assert not WorkTeam.objects.exists()
    done = services.team_import(user=city_user, file=workbook(excel.TEAM_IMPORT_COLUMNS, rows), dry_run=False)
    assert done.ok and WorkTeam.objects.count() == 2
    assert TeamMember.objects.filter(term__team__code="GZD901").count() == 2


def test_one_bad_row_saves_nothing_and_names_row_and_column(villages, city_user):
    rows = team_rows(villages)
    rows[2] = (*rows[2][:6], "书记", "", "")
    rows.append(("GZD903", "队", "单位", "999999999999", "2024-04-01", "赵六", "队员", "", ""))
    result = services.team_import(user=city_user, file=workbook(excel.TEAM_IMPORT_COLUMNS, rows), dry_run=False)
    assert not result.ok and not WorkTeam.objects.exists()
    assert {(p.row, p.column) for p in result.problems} == {(4, "职务"), (5, "驻点村代码")}


def test_a_file_that_is_not_excel_is_refused_in_chinese(city_user):
    fake = SimpleUploadedFile("队伍.xlsx", b"not a zip at all")
    result = services.team_import(user=city_user, file=fake, dry_run=True)
    assert not result.ok and not WorkTeam.objects.exists()
    assert "Excel" in str(result.problems[0])


def test_missing_columns_are_reported(city_user):
    result = services.student_import(user=city_user, file=workbook(["姓名", "专业"], [("甲", "x")]), dry_run=True)
    assert {p.message for p in result.problems} >= {"缺少必填列“定向乡镇代码”。", "缺少必填列“在岗状态”。"}


def test_student_import_adds_and_updates(villages, city_user):
    services.student_save(
        user=city_user,
        data=services.StudentInput(
            name="甲", township=Township.objects.get(code="431302001"), enrolled_year=2021, major="农经"
        ),
    )
    rows = [
        ("甲", "431302001", 2021, "农经", 2024, villages[0].code, "在岗", ""),
        ("乙", "431302001", 2023, "电商", None, None, "在读", "13800000000"),
    ]
    result = services.student_import(user=city_user, file=workbook(excel.STUDENT_IMPORT_COLUMNS, rows), dry_run=False)
    assert result.ok, result.problems
    assert [r["updated"] for r in result.rows] == [True, False]
    updated = Student.objects.get(name="甲")
    assert (updated.status, updated.village, updated.graduated_year) == (StudentStatus.SERVING, villages[0], 2024)
    assert updated.history.first().history_change_reason == "更新定向培养生"


def test_the_import_pages_preview_and_confirm(villages, reviewer, login):
    client = login(reviewer)
    url = reverse("organisation:team_import")
    response = client.post(url, {"file": workbook(excel.TEAM_IMPORT_COLUMNS, team_rows(villages))})
    assert response.status_code == 200 and "确认导入 2 条" in response.content.decode()
    assert not WorkTeam.objects.exists()
    token = response.context["token"]
    response = client.post(url, {"confirm": "1", "token": token})
    assert response.status_code == 302 and WorkTeam.objects.count() == 2
    # The token is spent: a second confirmation imports nothing.
    client.post(url, {"confirm": "1", "token": token})
    assert WorkTeam.objects.count() == 2


def test_clerks_cannot_import(clerk, login, villages):
    client = login(clerk)
    refusal = "导入由市委组织部和县级审核员进行。"
    for name in ("organisation:team_import", "organisation:student_import"):
        page_refused(client.get(reverse(name)), 403, reason=refusal)
    # Their own township's villages, in a good file: still refused, and nothing is saved.
    response = client.post(
        reverse("organisation:team_import"), {"file": workbook(excel.TEAM_IMPORT_COLUMNS, team_rows(villages))}
    )
    page_refused(response, 403, reason=refusal, hides=["确认导入"])
    assert not WorkTeam.objects.exists() and not TeamMember.objects.exists()


def test_exports_mask_phones_outside_the_county(villages, city_user, reviewer, login, make_team):
    make_team(villages[0])
    for user, phone in ((city_user, "139****5678"), (reviewer, "13912345678")):
        response = login(user).get(reverse("organisation:team_export"))
        ws = load_workbook(io.BytesIO(response.content))["驻村工作队"]
        phones = {ws.cell(row=r, column=13).value for r in range(4, ws.max_row + 1)}
        assert phone in phones
    template = login(reviewer).get(reverse("organisation:student_import_template"))
    assert load_workbook(io.BytesIO(template.content)).sheetnames == ["定向培养生", "填写说明"]
