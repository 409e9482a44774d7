"""The 三资 ledgers' workbooks (openpyxl): the columns of each ledger, the exports and the empty
import templates.

Division codes are written as text, yuan with two decimals, Chinese headers, a frozen header row
and an auto filter; any text that looks like a formula is stored as text. The columns here are
also the import's format: assets.ledger_import reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from loudi_portal import xlsx
from loudi_portal.xlsx import CENT, DATE_FORMAT, MONEY_FORMAT, workbook_bytes
from villages.models import Village

from .models import (
    Asset,
    AssetCategory,
    AssetNature,
    AssetStatus,
    Contract,
    ContractMethod,
    ContractPayment,
    Resource,
    ResourceStatus,
    ResourceType,
)

AREA_FORMAT = "#,##0.00"


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, code, money, area, date, choice
    field: str = ""  # "" = shown on export, ignored on import
    required: bool = False
    choices: type | None = None
    width: int = 14


def write_cell(cell, value, kind: str) -> None:
    """Write one value with the portal's Excel conventions."""
    if value is None or value == "":
        cell.value = None
        if kind == "code":
            cell.number_format = xlsx.TEXT_FORMAT
        return
    if kind in ("money", "area"):
        cell.value = Decimal(value).quantize(CENT)
        cell.number_format = MONEY_FORMAT if kind == "money" else AREA_FORMAT
    elif kind == "date":
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif kind == "int":
        cell.value = int(value)
    else:
        xlsx.write_text(cell, value, text_format=kind == "code")


def add_sheet(wb: Workbook, title: str, columns: list[Column], rows: Iterable[list], *, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    xlsx.write_header(ws, [(column.header, column.width) for column in columns])
    count = 0
    for r, row in enumerate(rows, start=2):
        count += 1
        for index, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            write_cell(ws.cell(row=r, column=index), value, column.kind)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return ws


# --- the ledgers' columns (export order = import template) ------------------------------------

DIVISION_COLUMNS = [
    Column("县市区", width=10),
    Column("乡镇(街道)", width=14),
    Column("村(社区)代码", "code", "village", required=True, width=15),
    Column("村(社区)名称", width=14),
]

ASSET_COLUMNS = DIVISION_COLUMNS + [
    Column("资产编号", "text", "code", required=True),
    Column("资产名称", "text", "name", required=True, width=22),
    Column("资产性质", "choice", "nature", required=True, choices=AssetNature),
    Column("资产类别", "choice", "category", required=True, choices=AssetCategory),
    Column("坐落位置", "text", "location", width=22),
    Column("购建日期", "date", "acquired_on", width=12),
    Column("原值(元)", "money", "original_value", required=True),
    Column("账面价值(元)", "money", "book_value", required=True),
    Column("状态", "choice", "status", required=True, choices=AssetStatus, width=8),
    Column("备注", "text", "note", width=24),
    Column("已盘活", width=8),
]

RESOURCE_COLUMNS = DIVISION_COLUMNS + [
    Column("资源编号", "text", "code", required=True),
    Column("资源名称", "text", "name", required=True, width=22),
    Column("资源类型", "choice", "resource_type", required=True, choices=ResourceType, width=10),
    Column("面积(亩)", "area", "area", required=True, width=12),
    Column("坐落位置", "text", "location", width=22),
    Column("状态", "choice", "status", required=True, choices=ResourceStatus, width=8),
    Column("备注", "text", "note", width=24),
    Column("已盘活", width=8),
]

SUBJECT_LABELS = {"资产": "asset", "资源": "resource"}

CONTRACT_COLUMNS = DIVISION_COLUMNS + [
    Column("合同编号", "text", "number", required=True, width=18),
    Column("标的类型", "text", "subject_kind", required=True, width=8),
    Column("标的编号", "text", "subject_code", required=True),
    Column("标的名称", width=18),
    Column("承包(租)方", "text", "counterparty", required=True, width=18),
    Column("发包方式", "choice", "method", required=True, choices=ContractMethod, width=10),
    Column("起始日期", "date", "start_date", required=True, width=12),
    Column("终止日期", "date", "end_date", required=True, width=12),
    Column("年合同金额(元)", "money", "yearly_amount", required=True),
    Column("备注", "text", "note", width=24),
]

PAYMENT_COLUMNS = [
    Column("村(社区)代码", "code", "village", required=True, width=15),
    Column("合同编号", "text", "number", required=True, width=18),
    Column("应收日期", "date", "due_date", required=True, width=12),
    Column("应收金额(元)", "money", "amount_due", required=True),
    Column("实收金额(元)", "money", "amount_received"),
    Column("收款日期", "date", "received_on", width=12),
]


def _division(village: Village) -> list:
    return [village.township.county.name, village.township.name, village.code, village.name]


def asset_rows(assets: Iterable[Asset]) -> Iterable[list]:
    for a in assets:
        yield _division(a.village) + [
            a.code,
            a.name,
            a.get_nature_display(),
            a.get_category_display(),
            a.location,
            a.acquired_on,
            a.original_value,
            a.book_value,
            a.get_status_display(),
            a.note,
            "是" if getattr(a, "revitalised", False) else "",
        ]


def resource_rows(resources: Iterable[Resource]) -> Iterable[list]:
    for r in resources:
        yield _division(r.village) + [
            r.code,
            r.name,
            r.get_resource_type_display(),
            r.area,
            r.location,
            r.get_status_display(),
            r.note,
            "是" if getattr(r, "revitalised", False) else "",
        ]


def contract_rows(contracts: Iterable[Contract]) -> Iterable[list]:
    for c in contracts:
        item = c.asset or c.resource
        yield _division(c.village) + [
            c.number,
            "资产" if c.asset_id else "资源",
            item.code,
            item.name,
            c.counterparty,
            c.get_method_display(),
            c.start_date,
            c.end_date,
            c.yearly_amount,
            c.note,
        ]


def payment_rows(payments: Iterable[ContractPayment]) -> Iterable[list]:
    for p in payments:
        yield [
            p.contract.village.code,
            p.contract.number,
            p.due_date,
            p.amount_due,
            p.amount_received,
            p.received_on,
        ]


def asset_workbook(assets) -> bytes:
    wb = Workbook()
    add_sheet(wb, "资产", ASSET_COLUMNS, asset_rows(assets), first=True)
    return workbook_bytes(wb)


def resource_workbook(resources) -> bytes:
    wb = Workbook()
    add_sheet(wb, "资源", RESOURCE_COLUMNS, resource_rows(resources), first=True)
    return workbook_bytes(wb)


def contract_workbook(contracts, payments) -> bytes:
    wb = Workbook()
    add_sheet(wb, "合同", CONTRACT_COLUMNS, contract_rows(contracts), first=True)
    add_sheet(wb, "收款计划", PAYMENT_COLUMNS, payment_rows(payments))
    return workbook_bytes(wb)


def village_workbook(*, village: Village, funds, years: list[int], assets, resources, contracts, warnings) -> bytes:
    """A village's 三资 sheet: 货币资金, 资产, 资源, 合同, 预警."""
    wb = Workbook()
    fund_columns = [
        Column("账户名称", width=22),
        Column("类别", width=10),
        Column("开户银行", width=20),
        Column("账号", "code", width=22),
    ] + [Column(f"{year}年末余额(元)", "money", width=16) for year in years]

    def fund_rows():
        for f in funds:
            balances = {b.year: b.balance for b in f.balances.all()}
            yield [f.name, f.get_kind_display(), f.bank, f.account_no] + [balances.get(y) for y in years]

    add_sheet(wb, "货币资金", fund_columns, fund_rows(), first=True)
    add_sheet(wb, "资产", ASSET_COLUMNS, asset_rows(assets))
    add_sheet(wb, "资源", RESOURCE_COLUMNS, resource_rows(resources))
    contract_columns = CONTRACT_COLUMNS + [
        Column("应收合计(元)", "money", width=14),
        Column("实收合计(元)", "money", width=14),
    ]

    def contract_sheet_rows():
        for c, row in zip(contracts, contract_rows(contracts), strict=True):
            yield row + [c.total_due, c.total_received]

    add_sheet(wb, "合同", contract_columns, contract_sheet_rows())
    warning_columns = [
        Column("合同编号", width=18),
        Column("承包(租)方", width=18),
        Column("预警类型", width=14),
        Column("说明", width=60),
    ]
    add_sheet(
        wb,
        "预警",
        warning_columns,
        ([w.contract.number, w.contract.counterparty, w.label, w.detail] for w in warnings),
    )
    return workbook_bytes(wb)


LEDGER_LABELS = {"asset": "资产", "resource": "资源", "contract": "合同"}


def template_workbook(kind: str) -> bytes:
    """An empty ledger with the import columns."""
    wb = Workbook()
    columns = {"asset": ASSET_COLUMNS, "resource": RESOURCE_COLUMNS, "contract": CONTRACT_COLUMNS}[kind]
    add_sheet(wb, LEDGER_LABELS[kind], columns, [], first=True)
    if kind == "contract":
        add_sheet(wb, "收款计划", PAYMENT_COLUMNS, [])
    return workbook_bytes(wb)
