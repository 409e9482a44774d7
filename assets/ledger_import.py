"""Reading the 三资 ledgers' workbooks back: a preview of every row, saved by the service.

The columns are the export's (assets.ledger_export). Every error is collected with its row, column
and a Chinese reason, and nothing is built for saving unless the whole file is valid;
assets.services.ledger_import reads the file again and saves it. The rules are assets.rules, the
same the services apply to a form's or the API's rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from loudi_portal import xlsx
from loudi_portal.money import MoneyError, parse_yuan
from loudi_portal.xlsx import CENT, RowError
from villages.models import Village
from villages.scope import Scope

from . import rules
from .ledger_export import (
    ASSET_COLUMNS,
    CONTRACT_COLUMNS,
    PAYMENT_COLUMNS,
    RESOURCE_COLUMNS,
    SUBJECT_LABELS,
    Column,
)
from .models import Asset, Contract, ContractPayment, Resource


@dataclass
class LedgerPreview:
    kind: str
    errors: list[RowError] = field(default_factory=list)
    # (row number, "新增"/"更新", unsaved instance) in file order; empty when there are errors.
    items: list[tuple[int, str, object]] = field(default_factory=list)
    payments: list[tuple[int, str, ContractPayment]] = field(default_factory=list)
    # Contracts whose yearly schedule is generated because the file lists none for them.
    generate_schedule: set[int] = field(default_factory=set)

    @property
    def valid(self) -> bool:
        return not self.errors and bool(self.items or self.payments)

    @property
    def created(self) -> int:
        return sum(1 for _r, action, _o in self.items if action == "新增")

    @property
    def updated(self) -> int:
        return sum(1 for _r, action, _o in self.items if action == "更新")


def open_upload(upload) -> bytes:
    """The bytes of an uploaded ledger, or xlsx.UploadRejected with a Chinese reason (the zip is
    checked here; the rows when the preview reads them)."""
    xlsx.check_upload(name=getattr(upload, "name", ""), size=upload.size, not_xlsx="请上传 Excel 文件(.xlsx)。")
    content = upload.read()
    xlsx.open_workbook(content).close()
    return content


def _open(content: bytes, scope: Scope):
    return xlsx.open_workbook(content, max_rows=xlsx.max_rows_for(scope))


def _parse(value, column: Column):
    """(python value, error message or None)."""
    if xlsx.is_blank(value):
        return None, ("不能为空。" if column.required else None)
    kind = column.kind
    if kind == "code":
        if column.field == "village":
            code = xlsx.division_code(value)
            return (code, None) if code else (None, "村(社区)代码应为 12 位数字。")
        return xlsx.cell_text(value).lstrip("'"), None
    if kind == "money":
        try:
            return parse_yuan(value, label=column.header.split("(")[0]), None
        except MoneyError as error:
            return None, error.message
    if kind == "area":
        try:
            number = xlsx.cell_decimal(value)
        except xlsx.NotANumber:
            return None, "应为数字。"
        if number != number.quantize(CENT):
            return None, "最多保留两位小数。"
        return number.quantize(CENT), None
    if kind == "date":
        try:
            return xlsx.cell_date(value), None
        except ValueError:
            return None, "日期格式应为 2024-01-31。"
    if kind == "choice":
        text = str(value).strip()
        by_label = {label: val for val, label in column.choices.choices}
        if text in by_label:
            return by_label[text], None
        if text in column.choices.values:
            return text, None
        return None, "应为以下之一:" + "、".join(column.choices.labels) + "。"
    return xlsx.cell_text(value), None


def _read_sheet(wb, ws, columns: list[Column], errors: list[RowError], sheet: str) -> list[tuple[int, dict]]:
    """Rows of one sheet as (row number, {field: value}); header and cell errors go to `errors`."""
    read = wb.rows(ws, columns=len(columns), sheet_label=sheet)
    errors += read.problems
    rows = iter(read.rows)
    values = next(rows, None)
    if values is None:
        errors.append(RowError(1, "", "工作表为空,缺少表头。", sheet))
        return []
    by_header = {c.header: c for c in columns}
    header = xlsx.read_header(values, known=by_header, required=[c.header for c in columns if c.required])
    header_errors = [
        *(RowError(1, letter, f"未知的列“{title}”。", sheet) for letter, title in header.unknown),
        *(RowError(1, letter, f"列“{title}”重复。", sheet) for letter, title in header.repeated),
        *(RowError(1, title, f"缺少必填列“{title}”。", sheet) for title in header.missing),
    ]
    errors += header_errors
    # Only this sheet's own header or reading problems stop its rows; another sheet's cell errors don't.
    if header_errors or read.problems:
        return []
    positions = {index: by_header[title] for title, index in header.index.items() if by_header[title].field}
    result = []
    for number, values in enumerate(rows, start=2):
        if xlsx.row_is_blank(values):
            continue
        parsed: dict = {}
        for index, column in positions.items():
            if index >= len(values):
                continue
            parsed[column.field], message = _parse(values[index], column)
            if message:
                errors.append(RowError(number, column.header, message, sheet))
        for column in columns:  # required columns whose cells are missing at the end of the row
            if column.required and column.field and column.field not in parsed:
                parsed[column.field] = None
                errors.append(RowError(number, column.header, "不能为空。", sheet))
        result.append((number, parsed))
    return result


# Which column a database constraint's message belongs to, for errors raised by full_clean.
CONSTRAINT_FIELDS = {
    "asset_code_unique_per_village": "code",
    "asset_original_value_not_negative": "original_value",
    "asset_book_value_within_original": "book_value",
    "resource_code_unique_per_village": "code",
    "resource_area_positive": "area",
    "contract_number_unique_per_village": "number",
    "contract_leases_asset_xor_resource": "subject_code",
    "contract_end_not_before_start": "end_date",
    "contract_amount_not_negative": "yearly_amount",
    "payment_one_per_due_date": "due_date",
    "payment_amounts_not_negative": "amount_due",
    "payment_received_has_date": "received_on",
}


def _clean(obj, number: int, columns: list[Column], errors: list[RowError], sheet: str, exclude=None) -> None:
    """full_clean one row's instance; each message goes to its column."""
    header_of = {c.field: c.header for c in columns if c.field}
    header_of.update({"asset": header_of.get("subject_code", ""), "resource": header_of.get("subject_code", "")})
    by_message = {
        c.violation_error_message: header_of.get(CONSTRAINT_FIELDS.get(c.name, ""), "")
        for c in type(obj)._meta.constraints
    }
    # A cell that could not be read already has its error; the model's "cannot be empty" on the
    # same cell would only repeat it.
    reported = {e.column for e in errors if e.row == number and e.sheet == sheet}
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                column = header_of.get(name) or by_message.get(message, "")
                if column not in reported:
                    errors.append(RowError(number, column, message, sheet))


def _villages(scope: Scope, codes: set[str]) -> dict[str, Village]:
    """The villages the user may enter data for, by code (a clerk: their own township)."""
    return {v.code: v for v in scope.villages().filter(code__in=codes) if scope.can_enter(v)}


def _check_villages(rows, villages, errors, sheet, header="村(社区)代码") -> None:
    for number, data in rows:
        if data.get("village") and data["village"] not in villages:
            errors.append(RowError(number, header, f"村(社区)代码 {data['village']} 不在您的填报范围内。", sheet))


def _check_duplicates(rows, key: Callable, header: str, label: str, errors, sheet) -> None:
    seen: dict = {}
    for number, data in rows:
        k = key(data)
        if None in k:
            continue
        if k in seen:
            errors.append(RowError(number, header, f"与第 {seen[k]} 行的{label}重复。", sheet))
        else:
            seen[k] = number


def _sheet(wb, title: str):
    return title if title in wb.sheetnames else 0


def _item_preview(*, scope: Scope, content: bytes, model, columns: list[Column], title: str, kind: str):
    preview = LedgerPreview(kind=kind)
    errors = preview.errors
    try:
        with _open(content, scope) as wb:
            rows = _read_sheet(wb, _sheet(wb, title), columns, errors, title)
    except xlsx.UploadRejected as exc:
        errors.append(RowError(0, "", str(exc)))
        return preview
    if not rows and not errors:
        errors.append(RowError(2, "", "文件中没有数据行。", title))
    villages = _villages(scope, {d["village"] for _n, d in rows if d.get("village")})
    _check_villages(rows, villages, errors, title)
    code_header = next(c.header for c in columns if c.field == "code")
    _check_duplicates(rows, lambda d: (d.get("village"), d.get("code")), code_header, "编号", errors, title)
    existing = {
        (obj.village.code, obj.code): obj
        for obj in model.objects.filter(village__in=villages.values()).select_related("village")
    }
    fields = rules.ASSET_FIELDS if model is Asset else rules.RESOURCE_FIELDS
    for number, data in rows:
        village = villages.get(data.get("village"))
        if village is None:
            continue
        obj = existing.get((village.code, data.get("code")))
        action = "更新" if obj is not None else "新增"
        if obj is None:
            obj = model(village=village)
        elif data.get("status") is not None:
            refusal = rules.idle_exit_refusal(model, old_status=obj.status, new_status=data["status"])
            if refusal:
                errors.append(RowError(number, "状态", refusal, title))
        for f in fields:
            if f in data:
                value = data[f]
                setattr(obj, f, "" if value is None and f in ("location", "note") else value)
        _clean(obj, number, columns, errors, title)
        preview.items.append((number, action, obj))
    if errors:
        preview.items = []
    return preview


def asset_preview(*, scope: Scope, content: bytes) -> LedgerPreview:
    return _item_preview(scope=scope, content=content, model=Asset, columns=ASSET_COLUMNS, title="资产", kind="asset")


def resource_preview(*, scope: Scope, content: bytes) -> LedgerPreview:
    return _item_preview(
        scope=scope, content=content, model=Resource, columns=RESOURCE_COLUMNS, title="资源", kind="resource"
    )


def contract_preview(*, scope: Scope, content: bytes) -> LedgerPreview:
    """Contracts (sheet 合同) and, optionally, their payment schedule (sheet 收款计划)."""
    preview = LedgerPreview(kind="contract")
    errors = preview.errors
    payment_rows_ = []
    try:
        with _open(content, scope) as wb:
            rows = _read_sheet(wb, _sheet(wb, "合同"), CONTRACT_COLUMNS, errors, "合同")
            if "收款计划" in wb.sheetnames:
                payment_rows_ = _read_sheet(wb, "收款计划", PAYMENT_COLUMNS, errors, "收款计划")
    except xlsx.UploadRejected as exc:
        errors.append(RowError(0, "", str(exc)))
        return preview
    if not rows and not payment_rows_ and not errors:
        errors.append(RowError(2, "", "文件中没有数据行。", "合同"))
    codes = {d["village"] for _n, d in rows + payment_rows_ if d.get("village")}
    villages = _villages(scope, codes)
    _check_villages(rows, villages, errors, "合同")
    _check_villages(payment_rows_, villages, errors, "收款计划")
    _check_duplicates(rows, lambda d: (d.get("village"), d.get("number")), "合同编号", "合同编号", errors, "合同")
    _check_duplicates(
        payment_rows_,
        lambda d: (d.get("village"), d.get("number"), d.get("due_date")),
        "应收日期",
        "合同与应收日期",
        errors,
        "收款计划",
    )
    assets = {
        (a.village.code, a.code): a
        for a in Asset.objects.filter(village__in=villages.values()).select_related("village")
    }
    resources = {
        (r.village.code, r.code): r
        for r in Resource.objects.filter(village__in=villages.values()).select_related("village")
    }
    existing = {
        (c.village.code, c.number): c
        for c in Contract.objects.filter(village__in=villages.values()).select_related("village")
    }
    in_file: dict[tuple[str, str], Contract] = {}
    for number, data in rows:
        village = villages.get(data.get("village"))
        if village is None:
            continue
        key = (village.code, data.get("number"))
        contract = existing.get(key)
        action = "更新" if contract is not None else "新增"
        if contract is None:
            contract = Contract(village=village)
        subject_kind = SUBJECT_LABELS.get((data.get("subject_kind") or "").strip())
        if data.get("subject_kind") and subject_kind is None:
            errors.append(RowError(number, "标的类型", "应为“资产”或“资源”。", "合同"))
        item = None
        if subject_kind and data.get("subject_code"):
            pool = assets if subject_kind == "asset" else resources
            item = pool.get((village.code, data["subject_code"]))
            if item is None:
                label = "资产" if subject_kind == "asset" else "资源"
                errors.append(
                    RowError(number, "标的编号", f"本村没有编号为 {data['subject_code']} 的{label}。", "合同")
                )
        contract.asset = item if subject_kind == "asset" else None
        contract.resource = item if subject_kind == "resource" else None
        for f in rules.CONTRACT_FIELDS:
            if f in data and f not in ("asset", "resource"):
                setattr(contract, f, "" if data[f] is None and f == "note" else data[f])
        _clean(contract, number, CONTRACT_COLUMNS, errors, "合同")
        for message in (rules.contract_subject_refusal(contract) or {}).values():
            errors.append(RowError(number, "标的编号", message, "合同"))
        preview.items.append((number, action, contract))
        in_file[key] = contract
    _check_overlaps(preview.items, [c for key, c in existing.items() if key not in in_file], errors)

    payments_of: set[tuple[str, str]] = set()
    existing_payments = {
        (p.contract.village.code, p.contract.number, p.due_date): p
        for p in ContractPayment.objects.filter(contract__village__in=villages.values()).select_related(
            "contract__village"
        )
    }
    for number, data in payment_rows_:
        village = villages.get(data.get("village"))
        if village is None:
            continue
        key = (village.code, data.get("number"))
        contract = in_file.get(key) or existing.get(key)
        if contract is None:
            if data.get("number"):
                errors.append(RowError(number, "合同编号", f"没有编号为 {data['number']} 的合同。", "收款计划"))
            continue
        payments_of.add(key)
        payment = existing_payments.get((*key, data.get("due_date")))
        action = "更新" if payment is not None else "新增"
        if payment is None:
            payment = ContractPayment(contract=contract if contract.pk else None)
        payment.due_date = data.get("due_date")
        payment.amount_due = data.get("amount_due")
        payment.amount_received = data.get("amount_received") or Decimal("0.00")
        payment.received_on = data.get("received_on")
        # The contract may be new in this file; duplicates within the file are checked above.
        _clean(payment, number, PAYMENT_COLUMNS, errors, "收款计划", exclude=["contract"])
        preview.payments.append((number, action, (key, payment)))
    for number, action, contract in preview.items:
        if action == "新增" and (contract.village.code, contract.number) not in payments_of:
            preview.generate_schedule.add(number)
    if errors:
        preview.items, preview.payments, preview.generate_schedule = [], [], set()
    return preview


def _check_overlaps(items, saved: list[Contract], errors) -> None:
    """rules.overlapping_lease on each contract of the file: against the saved contracts the file
    leaves as they are, then against the file's earlier rows (a saved contract the file changes is
    judged with its new term, as a row of the file)."""
    saved_by_subject: dict[tuple[str, int], list[Contract]] = defaultdict(list)
    for c in saved:
        saved_by_subject[rules.lease_subject(c)].append(c)
    rows_by_subject: dict[tuple[str, int], list[tuple[int, Contract]]] = defaultdict(list)
    for number, _action, c in items:
        subject = rules.lease_subject(c)
        if subject is None:
            continue
        other = rules.overlapping_lease(c, saved_by_subject.get(subject, []))
        if other is not None:
            errors.append(RowError(number, "标的编号", rules.overlap_message(c, other), "合同"))
        earlier = rows_by_subject[subject]
        other = rules.overlapping_lease(c, [o for _n, o in earlier])
        if other is not None:
            other_number = next(n for n, o in earlier if o is other)
            errors.append(RowError(number, "标的编号", f"与第 {other_number} 行合同的租期重叠。", "合同"))
        earlier.append((number, c))


PREVIEWS = {"asset": asset_preview, "resource": resource_preview, "contract": contract_preview}
