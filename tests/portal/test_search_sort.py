"""Search (`q`: part of a village's or township's name, or a prefix of its code) and column sorting
(`sort`, stable by code, kept across pages and in the Excel export), on the pages and the API."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.assets.conftest import make_asset
from villages.models import IncomeReport, IncomeStatus, Village

pytestmark = pytest.mark.django_db
CODE_CELL = re.compile(r"<td>(\d{12})</td>")


def _codes(response) -> list[str]:
    assert response.status_code == 200
    return CODE_CELL.findall(response.content.decode())


def _report(code: str, total: str, status=IncomeStatus.SUBMITTED):
    return IncomeReport.objects.create(
        village=Village.objects.get(code=code),
        year=2025,
        status=status,
        operating_revenue=Decimal(total),
        contracting_revenue=0,
        investment_income=0,
        subsidy_income=0,
        other_income=0,
    )


def test_income_list_finds_a_village_by_part_of_its_name(login, reviewer):
    client = login(reviewer)
    assert _codes(client.get("/income/", {"year": 2025, "q": "街心"})) == ["431302001001"]
    # A township's name lists its villages; a code prefix does too.
    assert len(_codes(client.get("/income/", {"year": 2025, "q": "乐坪"}))) == 12
    assert len(_codes(client.get("/income/", {"year": 2025, "q": "43130200100"}))) == 9
    # Outside the reviewer's county (新化县's 上梅街道): nothing, whatever is typed.
    assert _codes(client.get("/income/", {"year": 2025, "q": "上梅"})) == []


def test_income_list_sorts_by_a_money_column_with_code_as_tiebreak_and_blanks_last(login, reviewer):
    _report("431302001005", "90000")
    _report("431302001002", "50000")
    _report("431302001009", "50000")
    client = login(reviewer)
    query = {"year": 2025, "township": "431302001"}
    descending = _codes(client.get("/income/", {**query, "sort": "-total_income"}))
    assert descending[:3] == ["431302001005", "431302001002", "431302001009"]
    assert len(descending) == 12  # the villages without a report follow, by code
    assert descending[3:] == sorted(descending[3:])
    ascending = _codes(client.get("/income/", {**query, "sort": "total_income"}))
    assert ascending[:3] == ["431302001002", "431302001009", "431302001005"]
    page = client.get("/income/", {**query, "sort": "-total_income"}).content.decode()
    assert 'aria-sort="descending"' in page and "sort=total_income" in page  # the header flips it


def test_sorting_keeps_pagination_right(login, reviewer):
    """Sorted by township (many ties), the two pages together are every village exactly once."""
    client = login(reviewer)
    first = _codes(client.get("/villages/", {"county": "431302", "sort": "township"}))
    second = _codes(client.get("/villages/", {"county": "431302", "sort": "township", "page": 2}))
    expected = list(
        Village.objects.filter(township__county__code="431302")
        .order_by("township__code", "code")
        .values_list("code", flat=True)
    )
    assert len(first) == 50
    assert first + second == expected[: len(first) + len(second)]
    assert not set(first) & set(second)


def test_an_unknown_sort_is_ignored(login, reviewer):
    assert len(_codes(login(reviewer).get("/income/", {"year": 2025, "q": "乐坪", "sort": "password"}))) == 12


def test_the_api_takes_the_same_q_and_sort(api_login, reviewer):
    _report("431302001001", "70000")
    _report("431302001002", "80000")
    api = api_login(reviewer)
    rows = api.get("/api/incomes/", {"q": "街心"}).json()
    rows = rows.get("results", rows)
    assert [r["village_name"] for r in rows] == ["街心社区"]
    rows = api.get("/api/incomes/", {"q": "乐坪", "sort": "-total_income"}).json()
    rows = rows.get("results", rows)
    assert [Decimal(r["total_income"]) for r in rows] == [Decimal("80000.00"), Decimal("70000.00")]


def test_the_excel_export_keeps_the_list_sort(login, reviewer, export_download):
    village = Village.objects.get(code="431302001001")
    for value in ("100000", "300000", "200000"):
        make_asset(village, original_value=Decimal(value), book_value=Decimal("1000"))
    response = export_download(login(reviewer), "/assets/export/asset/", {"q": "街心", "sort": "-original_value"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("原值(元)")
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [Decimal(str(v)) for v in values] == [Decimal("300000"), Decimal("200000"), Decimal("100000")]


@pytest.mark.parametrize(
    "path",
    [
        "/assets/?q=街心&sort=-book_value",
        "/assets/resources/?q=乐坪&sort=area",
        "/assets/contracts/?q=乐坪&sort=-end_date",
        "/assets/funds/?q=乐坪&sort=kind",
        "/assets/warnings/?q=乐坪",
        "/assets/revitalisation/?q=乐坪&sort=-revitalised_on",
        "/rectification/clues/?q=乐坪&sort=-deadline",
        "/rectification/inspections/?q=乐坪&sort=-date",
        "/rectification/weak-organisations/?q=乐坪&sort=year_listed",
        "/income/completeness/?year=2025&q=乐坪&sort=-draft",
    ],
)
def test_every_list_takes_q_and_sort(login, reviewer, path):
    page = login(reviewer).get(path)
    assert page.status_code == 200
    assert 'class="errors"' not in page.content.decode()


def test_completeness_search_and_sort(login, reviewer):
    _report("431302002001", "90000", status=IncomeStatus.DRAFT)
    page = login(reviewer).get("/income/completeness/", {"year": 2025, "sort": "-draft"}).content.decode()
    townships = re.findall(r"township=(\d{9})\">", page)
    assert townships[0] == "431302002"
    page = login(reviewer).get("/income/completeness/", {"year": 2025, "q": "乐坪"}).content.decode()
    assert re.findall(r"township=(\d{9})\">", page) == ["431302001"]
