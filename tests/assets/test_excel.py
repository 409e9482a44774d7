"""Excel: exports (text codes, money formats, formulas kept as text, scope) and all-or-nothing uploads."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from assets import ledger_export, ledger_import, services
from assets.models import Asset, AssetStatus, Contract, ContractPayment, Resource
from loudi_portal.xlsx import XLSX_CONTENT_TYPE
from tests.checks import page_refused
from villages.scope import scope_for

from .conftest import make_asset, make_contract, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _read(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    for i, (title, rows) in enumerate(sheets.items()):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, as a clerk may type it
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(content: bytes, name="台账.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


ASSET_HEADER = [
    "村(社区)代码",
    "资产编号",
    "资产名称",
    "资产性质",
    "资产类别",
    "购建日期",
    "原值(元)",
    "账面价值(元)",
    "状态",
    "备注",
]


# --- export -----------------------------------------------------------------------------------


def test_asset_export_formats_and_scope(login, clerk, ledger):
    make_asset(
        ledger["own"]["village"], code="ZC-F", name='=HYPERLINK("http://x")', note="+1-2", book_value=Decimal("1234.50")
    )
    response = login(clerk).get(reverse("assets:ledger_export", args=["asset"]))
    assert response.status_code == 200
    ws = _read(response)["资产"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    assert header[:6] == ["县市区", "乡镇(街道)", "村(社区)代码", "村(社区)名称", "资产编号", "资产名称"]
    rows = list(ws.iter_rows(min_row=2))
    assert {r[2].value for r in rows} == {ledger["own"]["village"].code}  # the clerk's township only
    code_cell = rows[0][2]
    assert code_cell.data_type == "s" and code_cell.number_format == "@"
    formula_row = next(r for r in rows if r[4].value == "ZC-F")
    assert formula_row[5].value == '=HYPERLINK("http://x")' and formula_row[5].data_type == "s"
    assert formula_row[13].value == "+1-2" and formula_row[13].data_type == "s"
    money = formula_row[11]
    assert money.value == 1234.5 and money.number_format == "#,##0.00"


def test_export_uses_the_list_filters(login, city_user, ledger, export_download):
    response = export_download(login(city_user), reverse("assets:ledger_export", args=["asset"]), {"county": "431322"})
    rows = list(_read(response)["资产"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == [ledger["foreign"]["village"].code]


def test_contract_export_has_the_payment_schedule(login, reviewer, ledger, export_download):
    wb = _read(export_download(login(reviewer), reverse("assets:ledger_export", args=["contract"])))
    assert wb.sheetnames == ["合同", "收款计划"]
    assert len(list(wb["合同"].iter_rows(min_row=2))) == 2
    assert len(list(wb["收款计划"].iter_rows(min_row=2))) == 2


def test_village_workbook(login, clerk, ledger):
    village = ledger["own"]["village"]
    make_payment(ledger["own"]["contract"], due_date=datetime.date(2025, 2, 1))  # overdue
    response = login(clerk).get(reverse("assets:village_export", args=[village.code]))
    wb = _read(response)
    assert wb.sheetnames == ["货币资金", "资产", "资源", "合同", "预警"]
    funds = list(wb["货币资金"].iter_rows(values_only=True))
    assert funds[0][-2:] == ("2023年末余额(元)", "2024年末余额(元)")
    assert funds[1][-1] == 120000.5
    assert wb["货币资金"].cell(row=2, column=4).data_type == "s"  # account numbers stay text
    warnings = list(wb["预警"].iter_rows(min_row=2, values_only=True))
    assert any(w[2] == "收款逾期" for w in warnings)
    page_refused(login(clerk).get(reverse("assets:village_export", args=[ledger["neighbour"]["village"].code])), 404)


# --- import -----------------------------------------------------------------------------------


def _asset_rows(code):
    return [
        ASSET_HEADER,
        [code, "ZC-501", "集体厂房", "经营性", "房屋及建筑物", "2018-05-01", 500000, 400000.5, "出租", "=1+1"],
        [
            int(code),
            "ZC-502",
            "村卫生室",
            "non_operating",
            "医疗卫生设施",
            datetime.datetime(2019, 1, 1),
            "120,000.00",
            100000,
            "自用",
            None,
        ],
    ]


def test_good_asset_upload_previews_then_saves(login, clerk, own_village):
    client = login(clerk)
    url = reverse("assets:ledger_import", args=["asset"])
    response = client.post(url, {"file": _upload(_xlsx({"资产": _asset_rows(own_village.code)}))})
    preview = response.context["preview"]
    assert preview.errors == [] and preview.created == 2
    assert not Asset.objects.filter(code__in=["ZC-501", "ZC-502"]).exists()  # nothing saved yet
    response = client.post(url, {"token": response.context["token"]})
    assert response.status_code == 302
    saved = Asset.objects.get(village=own_village, code="ZC-501")
    assert saved.book_value == Decimal("400000.50") and saved.status == AssetStatus.LEASED
    assert saved.note == "=1+1"
    assert saved.history.get().history_change_reason == "Excel 导入"
    assert Asset.objects.get(village=own_village, code="ZC-502").original_value == Decimal("120000.00")
    # Confirming twice does nothing more.
    assert client.post(url, {"token": "x"}).status_code == 302


def test_reimport_of_an_export_updates_in_place(login, clerk, ledger):
    client = login(clerk)
    exported = client.get(reverse("assets:ledger_export", args=["asset"])).content
    wb = load_workbook(io.BytesIO(exported))
    wb["资产"]["F2"] = "改名后的门面"
    buffer = io.BytesIO()
    wb.save(buffer)
    preview = ledger_import.asset_preview(scope=scope_for(clerk), content=buffer.getvalue())
    assert preview.errors == [] and (preview.created, preview.updated) == (0, 1)
    services.ledger_import(user=clerk, kind="asset", content=buffer.getvalue())
    ledger["own"]["asset"].refresh_from_db()
    assert ledger["own"]["asset"].name == "改名后的门面"


def test_bad_asset_upload_lists_every_error_and_saves_nothing(login, clerk, own_village, neighbour_village):
    rows = _asset_rows(own_village.code) + [
        [own_village.code, "ZC-503", "坏行", "半经营性", "房屋及建筑物", "2018-13-01", "abc", 1, "出租", None],
        [own_village.code, "ZC-504", "账面超原值", "经营性", "机器设备", None, 100, 200, "自用", None],
        [neighbour_village.code, "ZC-505", "别的乡镇", "经营性", "机器设备", None, 100, 50, "自用", None],
        [own_village.code, "ZC-501", "重复编号", "经营性", "机器设备", None, 100, 50, "自用", None],
        [own_village.code, None, "缺编号", "经营性", "机器设备", None, 100.123, 50, "自用", None],
    ]
    response = login(clerk).post(
        reverse("assets:ledger_import", args=["asset"]), {"file": _upload(_xlsx({"资产": rows}))}
    )
    errors = {(e.row, e.column): e.message for e in response.context["preview"].errors}
    assert errors[(4, "资产性质")].startswith("应为以下之一")
    assert errors[(4, "购建日期")] == "日期格式应为 2024-01-31。"
    assert "应为数字" in errors[(4, "原值(元)")] and "abc" in errors[(4, "原值(元)")]
    assert errors[(5, "账面价值(元)")] == "账面价值应在 0 与原值之间。"
    assert "不在您的填报范围内" in errors[(6, "村(社区)代码")]
    assert errors[(7, "资产编号")] == "与第 2 行的编号重复。"
    assert errors[(8, "资产编号")] == "不能为空。"
    assert "最多保留两位小数" in errors[(8, "原值(元)")]
    assert response.context["token"] == ""
    html = response.content.decode()
    assert "整份文件未导入" in html and "账面价值应在 0 与原值之间。" in html
    assert not Asset.objects.filter(village=own_village).exists()


def test_unknown_and_missing_columns(clerk, own_village):
    content = _xlsx({"资产": [["村(社区)代码", "资产编号", "资产名称", "颜色"], [own_village.code, "A", "B", "红"]]})
    errors = ledger_import.asset_preview(scope=scope_for(clerk), content=content).errors
    messages = {(e.row, e.column, e.message) for e in errors}
    assert (1, "D", "未知的列“颜色”。") in messages
    assert any(e.message == "缺少必填列“原值(元)”。" for e in errors)


def test_non_xlsx_and_oversized_uploads_rejected(login, clerk, settings):
    client = login(clerk)
    url = reverse("assets:ledger_import", args=["asset"])
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", b"a,b\n", content_type="text/csv")})
    assert "请上传 Excel 文件(.xlsx)。" in response.content.decode()
    response = client.post(url, {"file": _upload(b"not really a workbook")})
    assert "无法读取该文件" in response.content.decode()
    settings.UPLOAD_MAX_BYTES = 100
    response = client.post(url, {"file": _upload(_xlsx({"资产": _asset_rows("431302001001")}))})
    assert "上限" in response.content.decode()
    assert not Asset.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "city_user"])
def test_only_clerks_import(request, login, who, own_village):
    client = login(request.getfixturevalue(who))
    url = reverse("assets:ledger_import", args=["asset"])
    page_refused(client.get(url), 403, reason="只有乡镇填报员可以导入三资台账。")
    upload = {"file": _upload(_xlsx({"资产": _asset_rows(own_village.code)}))}
    page_refused(client.post(url, upload), 403, reason="只有乡镇填报员可以导入三资台账。")
    assert not Asset.objects.exists()


def test_confirm_token_is_per_session(login, clerk, neighbour_clerk, own_village, client):
    response = login(clerk).post(
        reverse("assets:ledger_import", args=["asset"]),
        {"file": _upload(_xlsx({"资产": _asset_rows(own_village.code)}))},
    )
    token = response.context["token"]
    client.logout()
    login(neighbour_clerk).post(reverse("assets:ledger_import", args=["asset"]), {"token": token})
    assert not Asset.objects.exists()


def test_resource_import(clerk, own_village):
    content = _xlsx(
        {
            "资源": [
                ["村(社区)代码", "资源编号", "资源名称", "资源类型", "面积(亩)", "坐落位置", "状态"],
                [own_village.code, "ZY-1", "沉陷区撂荒地", "荒地", 160, "五组", "闲置"],
                [own_village.code, "ZY-2", "山林", "林地", 0, "", "未发包"],
            ]
        }
    )
    with pytest.raises(ValidationError) as exc:
        services.ledger_import(user=clerk, kind="resource", content=content)
    assert "面积应大于 0 亩。" in str(exc.value)
    assert not Resource.objects.exists()


def test_contract_import_with_and_without_schedule(clerk, own_village):
    asset = make_asset(own_village, code="ZC-1", status=AssetStatus.SELF_USE)
    make_asset(own_village, code="ZC-2", status=AssetStatus.SELF_USE)
    header = [
        "村(社区)代码",
        "合同编号",
        "标的类型",
        "标的编号",
        "承包(租)方",
        "发包方式",
        "起始日期",
        "终止日期",
        "年合同金额(元)",
    ]
    content = _xlsx(
        {
            "合同": [
                header,
                [own_village.code, "HT-A", "资产", "ZC-1", "李", "公开竞价", "2024-01-01", "2026-12-31", 1000],
                [own_village.code, "HT-B", "资产", "ZC-2", "王", "协商", "2024-01-01", "2025-12-31", 2000],
            ],
            "收款计划": [
                ["村(社区)代码", "合同编号", "应收日期", "应收金额(元)", "实收金额(元)", "收款日期"],
                [own_village.code, "HT-B", "2024-06-30", 2000, 2000, "2024-06-30"],
            ],
        }
    )
    services.ledger_import(user=clerk, kind="contract", content=content)
    a = Contract.objects.get(number="HT-A")
    assert a.payments.count() == 3  # generated yearly
    assert list(Contract.objects.get(number="HT-B").payments.values_list("amount_received", flat=True)) == [
        Decimal("2000.00")
    ]
    asset.refresh_from_db()
    assert asset.status == AssetStatus.LEASED


def test_bad_contract_upload_saves_nothing(clerk, own_village):
    make_asset(own_village, code="ZC-1")
    header = [
        "村(社区)代码",
        "合同编号",
        "标的类型",
        "标的编号",
        "承包(租)方",
        "发包方式",
        "起始日期",
        "终止日期",
        "年合同金额(元)",
    ]
    content = _xlsx(
        {
            "合同": [
                header,
                [own_village.code, "HT-A", "资产", "ZC-1", "李", "公开竞价", "2024-01-01", "2026-12-31", 1000],
                [own_village.code, "HT-B", "资产", "ZC-1", "王", "协商", "2025-01-01", "2027-12-31", 2000],
                [own_village.code, "HT-C", "房子", "ZC-9", "赵", "协商", "2025-01-01", "2024-12-31", -5],
                [own_village.code, "HT-D", "资源", "ZY-404", "钱", "协商", "2025-01-01", "2025-12-31", 5],
            ],
            "收款计划": [
                ["村(社区)代码", "合同编号", "应收日期", "应收金额(元)", "实收金额(元)", "收款日期"],
                [own_village.code, "HT-Z", "2024-06-30", 1, 0, None],
                [own_village.code, "HT-A", "2024-06-30", 1, 1, None],
            ],
        }
    )
    preview = ledger_import.contract_preview(scope=scope_for(clerk), content=content)
    found = {(e.sheet, e.row, e.column) for e in preview.errors}
    assert ("合同", 3, "标的编号") in found  # overlaps row 2
    assert ("合同", 4, "标的类型") in found
    assert ("合同", 4, "终止日期") in found
    assert ("合同", 4, "年合同金额(元)") in found
    assert ("合同", 5, "标的编号") in found
    assert ("收款计划", 2, "合同编号") in found
    assert ("收款计划", 3, "收款日期") in found
    with pytest.raises(ValidationError):
        services.ledger_import(user=clerk, kind="contract", content=content)
    assert not Contract.objects.exists() and not ContractPayment.objects.exists()


def test_import_template_download(login, clerk):
    response = login(clerk).get(reverse("assets:ledger_template", args=["contract"]))
    wb = _read(response)
    assert wb.sheetnames == ["合同", "收款计划"]
    assert [c.value for c in wb["合同"][1]][2] == "村(社区)代码"


def test_idle_asset_cannot_leave_idle_by_import(clerk, own_village):
    make_asset(own_village, code="ZC-I", status=AssetStatus.IDLE)
    content = _xlsx(
        {
            "资产": [
                ASSET_HEADER,
                [own_village.code, "ZC-I", "旧仓库", "经营性", "房屋及建筑物", None, 100, 50, "出租", None],
            ]
        }
    )
    errors = ledger_import.asset_preview(scope=scope_for(clerk), content=content).errors
    assert [(e.row, e.column) for e in errors] == [(2, "状态")]


def test_contract_on_new_contract_payment_only(clerk, own_village):
    contract = make_contract(own_village, number="HT-OLD")
    content = _xlsx(
        {
            "合同": [
                [
                    "村(社区)代码",
                    "合同编号",
                    "标的类型",
                    "标的编号",
                    "承包(租)方",
                    "发包方式",
                    "起始日期",
                    "终止日期",
                    "年合同金额(元)",
                ]
            ],
            "收款计划": [
                ["村(社区)代码", "合同编号", "应收日期", "应收金额(元)", "实收金额(元)", "收款日期"],
                [own_village.code, "HT-OLD", "2024-06-30", 100, 100, "2024-07-01"],
            ],
        }
    )
    services.ledger_import(user=clerk, kind="contract", content=content)
    assert contract.payments.get().received_on == datetime.date(2024, 7, 1)


def test_hostile_ledger_files_are_refused_quickly_and_save_nothing(login, clerk, own_village):
    from tests.portal import hostile

    url = reverse("assets:ledger_import", args=["asset"])
    client = login(clerk)
    titles = [c.header for c in ledger_export.ASSET_COLUMNS]
    for content, message in (
        (hostile.claims_whole_grid(titles), "文件超过 5000 行"),
        (hostile.huge_shared_string(titles), "文件解压后过大"),
        (hostile.workbook("<row><c><v>1</v></c></row>", dimension="A1"), None),
    ):
        with hostile.within(2):
            response = client.post(url, {"file": _upload(content)})
        html = response.content.decode()
        assert response.status_code == 200 and not response.context.get("token")
        if message:
            assert message in html
    formula = hostile.uncomputed_formula(titles, "A2", "")
    errors = ledger_import.contract_preview(scope=scope_for(clerk), content=formula).errors
    assert any("公式没有计算结果" in e.message and e.row == 2 for e in errors)
    assert not Asset.objects.exists() and not Contract.objects.exists()


CONTRACT_HEADER = [
    "村(社区)代码",
    "合同编号",
    "标的类型",
    "标的编号",
    "承包(租)方",
    "发包方式",
    "起始日期",
    "终止日期",
    "年合同金额(元)",
]


def test_contract_import_judges_overlaps_with_saved_contracts_on_the_final_terms(clerk, own_village):
    asset = make_asset(own_village, code="ZC-OV")
    make_contract(
        own_village,
        asset=asset,
        number="HT-OLD",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    scope = scope_for(clerk)

    def row(number, start, end):
        return [own_village.code, number, "资产", "ZC-OV", "李", "公开竞价", start, end, 1000]

    # Starting on the saved lease's last day overlaps it; the day after does not.
    touching = _xlsx({"合同": [CONTRACT_HEADER, row("HT-NEW", "2025-12-31", "2027-12-31")]})
    errors = ledger_import.contract_preview(scope=scope, content=touching).errors
    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "标的编号", "该资产在此期间已有合同 HT-OLD,租期不能重叠。")
    ]
    assert ledger_import.contract_preview(
        scope=scope, content=_xlsx({"合同": [CONTRACT_HEADER, row("HT-NEW", "2026-01-01", "2027-12-31")]})
    ).valid
    # A file shortening the saved lease and adding the next one is judged on the terms it leaves.
    both = _xlsx(
        {
            "合同": [
                CONTRACT_HEADER,
                row("HT-OLD", "2024-01-01", "2025-06-30"),
                row("HT-NEW", "2025-07-01", "2027-12-31"),
            ]
        }
    )
    assert ledger_import.contract_preview(scope=scope, content=both).errors == []
    services.ledger_import(user=clerk, kind="contract", content=both)
    assert Contract.objects.get(number="HT-OLD").end_date == datetime.date(2025, 6, 30)
    assert Contract.objects.get(number="HT-NEW").start_date == datetime.date(2025, 7, 1)
    # Two rows of one file on the same day overlap each other.
    same_day = _xlsx(
        {
            "合同": [
                CONTRACT_HEADER,
                row("HT-X", "2030-01-01", "2030-01-01"),
                row("HT-Y", "2030-01-01", "2030-01-01"),
            ]
        }
    )
    errors = ledger_import.contract_preview(scope=scope, content=same_day).errors
    assert [(e.row, e.message) for e in errors] == [(3, "与第 2 行合同的租期重叠。")]


def test_contract_import_refuses_a_disposed_asset(clerk, own_village):
    make_asset(own_village, code="ZC-GONE", status=AssetStatus.DISPOSED)
    content = _xlsx(
        {
            "合同": [
                CONTRACT_HEADER,
                [own_village.code, "HT-1", "资产", "ZC-GONE", "李", "公开竞价", "2030-01-01", "2030-12-31", 1],
            ]
        }
    )
    errors = ledger_import.contract_preview(scope=scope_for(clerk), content=content).errors
    assert [(e.row, e.column, e.message) for e in errors] == [(2, "标的编号", "已处置的资产不能再签订合同。")]


def _contract_preview_queries(clerk, village, rows: int) -> int:
    lines = [CONTRACT_HEADER]
    for i in range(rows):
        asset = make_asset(village, code=f"ZC-Q{rows}-{i}")
        make_contract(village, asset=asset, number=f"HT-Q{rows}-{i}-OLD")
        lines.append(
            [village.code, f"HT-Q{rows}-{i}", "资产", asset.code, "李", "公开竞价", "2030-01-01", "2030-12-31", 1]
        )
    content = _xlsx({"合同": lines})
    with CaptureQueriesContext(connection) as ctx:
        preview = ledger_import.contract_preview(scope=scope_for(clerk), content=content)
    assert preview.errors == [] and len(preview.items) == rows
    return len(ctx.captured_queries)


def test_contract_preview_queries_per_row_are_only_the_models_validation(clerk, own_village):
    # The overlap and subject checks read the saved contracts once, not once per row: a row costs
    # only full_clean's own queries (the unique and check constraints Django validates in SQL).
    contract = make_contract(own_village)
    with CaptureQueriesContext(connection) as one:
        contract.full_clean()
    per_row = len(one.captured_queries)
    _contract_preview_queries(clerk, own_village, 1)  # the user's scope is read once, then kept
    few = _contract_preview_queries(clerk, own_village, 3)
    many = _contract_preview_queries(clerk, own_village, 30)
    assert many - few == 27 * per_row
