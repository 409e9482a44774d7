"""Writes of the rectification app (HackSoft style: keyword-only, one transaction each).

A clue moves 待整改 → 整改中 → 待验收 → 已销号, or from 待验收 back to 整改中 with the reviewer's
reason. The township clerk works it and asks for acceptance (with evidence); the county reviewer of
its county, or the city, verifies it. A closed clue is read-only. Each step is saved with a reason,
so the clue's history is its full record.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from loudi_portal import clock, xlsx
from loudi_portal.money import MoneyError, parse_yuan
from villages.models import County, Township, Village
from villages.scope import scope_for

from . import excel
from . import permissions as perms
from .evidence import evidence_type_of
from .models import (
    INSPECTION_SOURCES,
    ZERO,
    Clue,
    ClueCategory,
    ClueEvidence,
    ClueSource,
    ClueStatus,
    IncomeCheckFlag,
    Inspection,
    InspectionKind,
    OverdueSnapshot,
    RectificationItem,
    SelfInspection,
    SelfInspectionCampaign,
    SelfInspectionStatus,
    WarningCode,
    WeakOrgStatus,
    WeakPartyOrganisation,
)
from .selectors import inspection_coverage, overdue_counts_on

# Default time to rectify a clue raised from a contract warning.
WARNING_CLUE_DAYS = 30
_INSPECTION_PREFIX = {InspectionKind.SUPERVISION: "DC", InspectionKind.UNANNOUNCED: "AF", InspectionKind.SELF: "ZC"}


# --- helpers ----------------------------------------------------------------------------------
def _money(value, field: str, label: str) -> Decimal:
    """An amount by the portal's one grammar (loudi_portal.money); blank is 0."""
    try:
        amount = parse_yuan(value, label=label)
    except MoneyError as error:
        raise ValidationError({field: error.message}) from None
    return ZERO if amount is None else amount


def _required(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _lock_county_sequence(county_id: int) -> None:
    # Codes are numbered per county and year; locking the county row serialises their numbering.
    list(County.objects.select_for_update().filter(pk=county_id).values_list("pk", flat=True))


def _next_code(model, prefix: str, width: int) -> str:
    last = model.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    seq = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{seq:0{width}d}"


def clue_code_prefix(*, county_code: str, year: int) -> str:
    return f"XS{county_code}{year}"


def inspection_code_prefix(*, kind: str, county_code: str, year: int) -> str:
    return f"{_INSPECTION_PREFIX[kind]}{county_code}{year}"


def _save(obj, *, user, reason: str, update_fields: list[str] | None = None) -> None:
    obj._change_reason = reason
    obj._history_user = user
    obj.save(update_fields=update_fields)


def _locked_clue(clue: Clue) -> Clue:
    # Re-read under a row lock: two people acting on one clue at once cannot both succeed.
    return Clue.objects.select_for_update().select_related("village__township").get(pk=clue.pk)


def _refuse_closed(clue: Clue) -> None:
    if clue.status == ClueStatus.CLOSED:
        raise ValidationError("该线索已销号,不能再修改。")


# --- inspections --------------------------------------------------------------------------------
def _check_coverage(county: County, townships: Iterable[Township], villages: Iterable[Village]) -> None:
    foreign = [t.name for t in townships if t.county_id != county.pk]
    foreign += [v.name for v in villages if v.township.county_id != county.pk]
    if foreign:
        raise ValidationError({"villages": f"以下乡镇或村(社区)不属于{county.name}:{'、'.join(foreign)}。"})


@transaction.atomic
def inspection_create(
    *,
    user,
    kind: str,
    date: date,
    unit: str,
    county: County,
    townships: Iterable[Township] = (),
    villages: Iterable[Village] = (),
    findings: str = "",
) -> Inspection:
    """Record an inspection. County reviewers record their own county's, city officials any county's;
    a township clerk records only its own township's self-inspection (自查自纠)."""
    scope = scope_for(user)
    townships, villages = list(townships), list(villages)
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": "请选择检查方式。"})
    if scope.enters_data:
        if kind != InspectionKind.SELF:
            raise PermissionDenied("乡镇只能登记本乡镇的自查自纠。")
        own = scope.townships().get()
        if county.pk != own.county_id or any(not scope.can_enter_township(t) for t in townships):
            raise PermissionDenied("乡镇只能登记本乡镇的自查自纠。")
        if any(not scope.can_enter(v) for v in villages):
            raise PermissionDenied("乡镇只能登记本乡镇的自查自纠。")
        if not townships and not villages:
            townships = [own]
    elif not scope.can_record_inspection(county_id=county.pk):
        raise PermissionDenied("您无权登记该县市区的检查。")
    if date > clock.today():
        raise ValidationError({"date": "检查日期不能晚于今天。"})
    unit = _required(unit, "unit", "请填写检查单位。")
    _check_coverage(county, townships, villages)
    _lock_county_sequence(county.pk)
    inspection = Inspection(
        code=_next_code(Inspection, inspection_code_prefix(kind=kind, county_code=county.code, year=date.year), 4),
        kind=kind,
        date=date,
        unit=unit,
        county=county,
        findings=(findings or "").strip(),
        created_by=user,
    )
    _save(inspection, user=user, reason="登记检查")
    inspection.townships.set(townships)
    inspection.villages.set(villages)
    return inspection


@transaction.atomic
def inspection_update(
    *,
    inspection: Inspection,
    user,
    date: date,
    unit: str,
    findings: str,
    townships: Iterable[Township] = (),
    villages: Iterable[Village] = (),
) -> Inspection:
    """Correct an inspection's record (the kind and county stay: its clues depend on them)."""
    scope = scope_for(user)
    inspection = Inspection.objects.select_for_update().select_related("county").get(pk=inspection.pk)
    if inspection.kind == InspectionKind.SELF and scope.enters_data:
        allowed = inspection.created_by_id == user.pk
    else:
        allowed = scope.can_record_inspection(county_id=inspection.county_id)
    if not allowed:
        raise PermissionDenied("您无权修改该检查记录。")
    if date > clock.today():
        raise ValidationError({"date": "检查日期不能晚于今天。"})
    if date.year != inspection.date.year:
        raise ValidationError({"date": "检查日期不能改到其他年度(检查编号按年度编排)。"})
    townships, villages = list(townships), list(villages)
    _check_coverage(inspection.county, townships, villages)
    uncovered = inspection.clues.exclude(
        village__in=_coverage_of(inspection.county, townships, villages)
    ).select_related("village")
    if uncovered.exists():
        names = "、".join(sorted({c.village.name for c in uncovered[:10]}))
        raise ValidationError({"villages": f"已有线索的村(社区)不能移出检查范围:{names}。"})
    inspection.date, inspection.unit, inspection.findings = date, _required(unit, "unit", "请填写检查单位。"), findings
    _save(inspection, user=user, reason="修改检查记录")
    inspection.townships.set(townships)
    inspection.villages.set(villages)
    return inspection


def _coverage_of(county: County, townships: list[Township], villages: list[Village]):
    qs = Village.objects.all()
    if not townships and not villages:
        return qs.filter(township__county_id=county.pk)
    return qs.filter(Q(township__in=townships) | Q(pk__in=[v.pk for v in villages]))


# --- self-inspection -------------------------------------------------------------------------------
@transaction.atomic
def campaign_create(
    *, user, name: str, year: int, started_on: date, deadline: date, description: str = ""
) -> SelfInspectionCampaign:
    """The city opens a 自查自纠 campaign; every village gets its record to complete."""
    if not scope_for(user).manages_city:
        raise PermissionDenied("只有市委组织部可以部署自查自纠工作。")
    name = _required(name, "name", "请填写名称。")
    if deadline < started_on:
        raise ValidationError({"deadline": "完成期限不能早于开始日期。"})
    if SelfInspectionCampaign.objects.filter(name=name).exists():
        raise ValidationError({"name": "已有同名自查自纠工作。"})
    campaign = SelfInspectionCampaign(
        name=name, year=year, started_on=started_on, deadline=deadline, description=description, created_by=user
    )
    _save(campaign, user=user, reason="部署自查自纠")
    SelfInspection.objects.bulk_create(
        [SelfInspection(campaign=campaign, village_id=pk) for pk in Village.objects.values_list("pk", flat=True)],
        batch_size=1000,
    )
    return campaign


@transaction.atomic
def self_inspection_complete(*, record: SelfInspection, user, summary: str) -> SelfInspection:
    """The township clerk reports a village's self-inspection done, with what it found."""
    record = SelfInspection.objects.select_for_update().select_related("village__township").get(pk=record.pk)
    if not scope_for(user).can_enter(record.village):
        raise PermissionDenied("只有本乡镇的填报员可以填报该村(社区)的自查自纠。")
    if record.status == SelfInspectionStatus.DONE:
        raise ValidationError("该村(社区)的自查自纠已完成。")
    record.summary = _required(summary, "summary", "请填写自查情况。")
    record.status = SelfInspectionStatus.DONE
    record.completed_at = clock.now()
    record.completed_by = user
    _save(record, user=user, reason="完成自查自纠")
    return record


# --- clues: creation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClueInput:
    """One clue's facts, as a form, an API call or an Excel row gives them."""

    village: Village
    category: str
    description: str
    amount_involved: Decimal | str | None
    responsible_person: str
    deadline: date | None
    found_on: date | None = None
    measures: str = ""
    asset: object | None = None  # assets.models.Asset of the same village
    contract: object | None = None  # assets.models.Contract of the same village


def clue_validate(
    *,
    scope,
    data: ClueInput,
    source: str,
    inspection: Inspection | None = None,
    campaign: SelfInspectionCampaign | None = None,
    covered_village_ids: set[int] | None = None,
    today: date | None = None,
) -> dict:
    """Check one clue and return the model fields; raise ValidationError / PermissionDenied.

    Shared by `clue_create` and the Excel import (which passes the inspection's coverage once
    instead of asking the database for each row).
    """
    today = today or clock.today()
    village = data.village
    if source not in ClueSource.values:
        raise ValidationError({"source": "请选择线索来源。"})
    if source == ClueSource.WARNING:
        raise ValidationError({"source": "合同预警线索请在合同预警列表中生成。"})
    if source == ClueSource.INCOME_CHECK:
        raise ValidationError({"source": "收入核对线索请在收入核对列表中生成。"})
    if not perms.may_create_clue(scope, village, source):
        if source == ClueSource.SELF:
            raise PermissionDenied(f"自查自纠线索由本乡镇填报员登记;您无权为{village.name}登记。")
        raise PermissionDenied(f"您无权为{village.name}登记{ClueSource(source).label}线索。")
    if source in INSPECTION_SOURCES.values() and inspection is None:
        raise ValidationError({"inspection": "督查检查和暗访发现的线索须选择所属检查。"})
    if inspection is not None:
        expected = INSPECTION_SOURCES.get(inspection.kind, ClueSource.SELF)
        if source != expected:
            raise ValidationError(
                {"inspection": f"检查 {inspection.code} 是{inspection.get_kind_display()},线索来源应一致。"}
            )
        if covered_village_ids is None:
            covered = inspection_coverage(inspection=inspection).filter(pk=village.pk).exists()
        else:
            covered = village.pk in covered_village_ids
        if not covered:
            raise ValidationError({"village": f"{village.name}不在检查 {inspection.code} 的范围内。"})
    if campaign is not None and source != ClueSource.SELF:
        raise ValidationError({"campaign": "只有自查自纠线索可以归入自查自纠工作。"})
    for name, thing, label in (("asset", data.asset, "资产"), ("contract", data.contract, "合同")):
        if thing is not None and thing.village_id != village.pk:
            raise ValidationError({name: f"所选{label}不属于{village.name}。"})
    if data.category not in ClueCategory.values:
        raise ValidationError({"category": "请选择问题类别(六大类之一)。"})
    found_on = data.found_on or today
    if found_on > today:
        raise ValidationError({"found_on": "发现日期不能晚于今天。"})
    if data.deadline is None:
        raise ValidationError({"deadline": "请填写整改期限。"})
    if data.deadline < found_on:
        raise ValidationError({"deadline": "整改期限不能早于发现日期。"})
    return {
        "source": source,
        "inspection": inspection,
        "campaign": campaign,
        "category": data.category,
        "village": village,
        "description": _required(data.description, "description", "请填写问题描述。"),
        "amount_involved": _money(data.amount_involved, "amount_involved", "涉及金额"),
        "responsible_person": _required(data.responsible_person, "responsible_person", "请填写整改责任人。"),
        "found_on": found_on,
        "deadline": data.deadline,
        "measures": (data.measures or "").strip(),
        "asset": data.asset,
        "contract": data.contract,
    }


def _insert_clue(*, user, fields: dict, reason: str) -> Clue:
    village = fields["village"]
    county = village.township.county
    _lock_county_sequence(county.pk)
    prefix = clue_code_prefix(county_code=county.code, year=fields["found_on"].year)
    clue = Clue(code=_next_code(Clue, prefix, 5), created_by=user, **fields)
    _save(clue, user=user, reason=reason)
    return clue


@transaction.atomic
def clue_create(
    *,
    user,
    data: ClueInput,
    source: str,
    inspection: Inspection | None = None,
    campaign: SelfInspectionCampaign | None = None,
) -> Clue:
    """Register a clue (待整改). Inspectors register what their inspections found, 群众举报 and 审计;
    the township clerk registers its villages' 自查自纠."""
    fields = clue_validate(scope=scope_for(user), data=data, source=source, inspection=inspection, campaign=campaign)
    return _insert_clue(user=user, fields=fields, reason=f"登记线索({ClueSource(source).label})")


@transaction.atomic
def clue_from_warning(*, user, contract, warning: str, deadline: date | None = None) -> Clue:
    """Turn a live contract warning into a clue (source 合同预警, category 合同管理).

    Only a city or county user with the contract in scope; the warning must really be raised by
    assets' rules today; one open clue per contract and warning.
    """
    from assets.selectors import contract_warnings

    scope = scope_for(user)
    village = Village.objects.select_related("township__county").get(pk=contract.village_id)
    if not scope.can_record_inspection(village=village):
        raise PermissionDenied("只有市、县两级可以把合同预警转为问题线索。")
    today = clock.today()
    raised = {w.code: w for w in contract_warnings(contract=contract, today=today)}
    if warning not in raised:
        raise ValidationError({"warning": f"合同 {contract.number} 当前没有“{_warning_label(warning)}”预警。"})
    open_clue = (
        Clue.objects.filter(contract=contract, warning_code=warning, source=ClueSource.WARNING)
        .exclude(status=ClueStatus.CLOSED)
        .first()
    )
    if open_clue is not None:
        raise ValidationError({"warning": f"该合同的此项预警已有未销号线索 {open_clue.code},不能重复生成。"})
    found = raised[warning]
    fields = {
        "source": ClueSource.WARNING,
        "inspection": None,
        "campaign": None,
        "category": ClueCategory.CONTRACT,
        "village": village,
        "description": f"合同 {contract.number}({contract.counterparty}):{found.label}。{found.detail}".strip(),
        "amount_involved": ZERO,
        "responsible_person": f"{village.name}村务监督委员会",
        "found_on": today,
        "deadline": deadline or today + timedelta(days=WARNING_CLUE_DAYS),
        "measures": "",
        "asset": contract.asset if contract.asset_id else None,
    }
    try:
        with transaction.atomic():
            clue = _insert_clue(
                user=user, fields=fields | {"contract": contract, "warning_code": warning}, reason="由合同预警生成线索"
            )
    except IntegrityError:
        # The partial unique constraint caught a concurrent second click.
        raise ValidationError({"warning": "该合同的此项预警已有未销号线索,不能重复生成。"}) from None
    return clue


@transaction.atomic
def clue_from_income_check(
    *,
    user,
    village: Village,
    year: int,
    flag: str,
    description: str,
    amount_involved: Decimal,
    deadline: date | None = None,
) -> Clue:
    """Turn a flag of the income check (收入核对) into a clue (source 收入核对, category 财务管理).

    The caller (incentives.insights.services) has confirmed the flag is raised by the check; this
    service decides who may (a city or county user with the village in scope) and keeps one open
    clue per village, year and flag.
    """
    scope = scope_for(user)
    village = Village.objects.select_related("township__county").get(pk=village.pk)
    if not scope.can_record_inspection(village=village):
        raise PermissionDenied("只有市、县两级可以把收入核对提示转为问题线索。")
    if flag not in IncomeCheckFlag.values:
        raise ValidationError({"flag": "未知的收入核对提示。"})
    open_clue = (
        Clue.objects.filter(village=village, income_year=year, income_flag=flag, source=ClueSource.INCOME_CHECK)
        .exclude(status=ClueStatus.CLOSED)
        .first()
    )
    if open_clue is not None:
        raise ValidationError(
            {"flag": f"{village.name} {year} 年的此项提示已有未销号线索 {open_clue.code},不能重复生成。"}
        )
    today = clock.today()
    fields = {
        "source": ClueSource.INCOME_CHECK,
        "inspection": None,
        "campaign": None,
        "category": ClueCategory.FINANCE,
        "village": village,
        "description": description.strip(),
        "amount_involved": _money(amount_involved, "amount_involved", "涉及金额"),
        "responsible_person": f"{village.name}村务监督委员会",
        "found_on": today,
        "deadline": deadline or today + timedelta(days=WARNING_CLUE_DAYS),
        "measures": "",
        "asset": None,
        "contract": None,
        "income_flag": flag,
        "income_year": year,
    }
    try:
        with transaction.atomic():
            clue = _insert_clue(user=user, fields=fields, reason="由收入核对提示生成线索")
    except IntegrityError:
        raise ValidationError({"flag": "该村该年度的此项提示已有未销号线索,不能重复生成。"}) from None
    return clue


def _warning_label(code: str) -> str:
    return WarningCode(code).label if code in WarningCode.values else code


# --- clues: the township works them -------------------------------------------------------------------
@transaction.atomic
def clue_start(*, clue: Clue, user, measures: str = "") -> Clue:
    """待整改 → 整改中: the township clerk takes the clue on, optionally with its measures."""
    clue = _locked_clue(clue)
    _refuse_closed(clue)
    scope = scope_for(user)
    if not scope.can_enter(clue.village):
        raise PermissionDenied("只有本乡镇的填报员可以整改该线索。")
    if clue.status != ClueStatus.PENDING:
        raise ValidationError(f"线索当前为“{clue.get_status_display()}”,不能开始整改。")
    if measures and measures.strip():
        clue.measures = measures.strip()
    clue.status = ClueStatus.IN_PROGRESS
    clue.started_at, clue.started_by = clock.now(), user
    _save(clue, user=user, reason="开始整改")
    return clue


@transaction.atomic
def clue_update_progress(
    *, clue: Clue, user, measures: str, amount_recovered=None, responsible_person: str | None = None
) -> Clue:
    """The township clerk records the measures taken, the money recovered and who is responsible."""
    clue = _locked_clue(clue)
    _refuse_closed(clue)
    if not scope_for(user).can_enter(clue.village):
        raise PermissionDenied("只有本乡镇的填报员可以整改该线索。")
    if clue.status not in (ClueStatus.PENDING, ClueStatus.IN_PROGRESS):
        raise ValidationError("线索正在验收,不能修改整改情况。")
    clue.measures = (measures or "").strip()
    if amount_recovered is not None:
        recovered = _money(amount_recovered, "amount_recovered", "追回金额")
        if recovered > clue.amount_involved:
            raise ValidationError({"amount_recovered": "追回金额不能超过涉及金额。"})
        clue.amount_recovered = recovered
    if responsible_person is not None:
        clue.responsible_person = _required(responsible_person, "responsible_person", "请填写整改责任人。")
    _save(clue, user=user, reason="更新整改情况")
    return clue


@transaction.atomic
def clue_add_evidence(*, clue: Clue, user, file, note: str = "") -> ClueEvidence:
    """Attach an evidence file (PDF, JPG, PNG, DOCX, XLSX; ≤ 10 MB; content checked).

    A refused file leaves nothing behind: neither a row nor a file on disk.
    """
    clue = _locked_clue(clue)
    _refuse_closed(clue)
    if not scope_for(user).can_enter(clue.village):
        raise PermissionDenied("只有本乡镇的填报员可以上传该线索的佐证材料。")
    if clue.status not in (ClueStatus.PENDING, ClueStatus.IN_PROGRESS):
        raise ValidationError("线索正在验收,不能再上传佐证材料。")
    if file is None:
        raise ValidationError({"file": "请选择要上传的文件。"})
    file_type = evidence_type_of(file)
    name = file.name.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = PurePosixPath(name).suffix[:10]
    # A long name is shortened in the middle: the extension is what tells a reader the file's type.
    original_name = name if len(name) <= 200 else name[: 200 - len(suffix)] + suffix
    evidence = ClueEvidence(
        clue=clue,
        original_name=original_name,
        file_type=file_type,
        size=file.size,
        note=(note or "").strip()[:200],
        uploaded_by=user,
    )
    # The stored name is random (evidence_path); its extension is the checked type.
    evidence.file.save(f"evidence.{file_type}", file, save=False)
    stored = evidence.file.name
    # The file is on disk before the row exists: if saving the row fails, remove the file too.
    try:
        evidence._history_user = user
        evidence.save()
        _save(clue, user=user, reason=f"上传佐证材料:{original_name}")
    except Exception:
        evidence.file.storage.delete(stored)
        raise
    return evidence


@transaction.atomic
def clue_remove_evidence(*, evidence: ClueEvidence, user) -> None:
    """The clerk withdraws a file uploaded by mistake, while the clue is still being worked."""
    evidence = ClueEvidence.objects.select_related("clue").get(pk=evidence.pk)
    clue = _locked_clue(evidence.clue)
    _refuse_closed(clue)
    if not scope_for(user).can_enter(clue.village):
        raise PermissionDenied("只有本乡镇的填报员可以删除该线索的佐证材料。")
    if clue.status not in (ClueStatus.PENDING, ClueStatus.IN_PROGRESS):
        raise ValidationError("线索正在验收,不能删除佐证材料。")
    name, storage = evidence.file.name, evidence.file.storage
    evidence._history_user = user
    evidence._change_reason = "删除佐证材料"
    evidence.delete()
    _save(clue, user=user, reason=f"删除佐证材料:{evidence.original_name}")
    # The file goes only once the deletion is committed.
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def clue_request_acceptance(*, clue: Clue, user, measures: str | None = None, amount_recovered=None) -> Clue:
    """整改中 → 待验收: the clerk reports the clue rectified. Measures and at least one evidence file
    are required."""
    clue = _locked_clue(clue)
    _refuse_closed(clue)
    if not scope_for(user).can_enter(clue.village):
        raise PermissionDenied("只有本乡镇的填报员可以申请验收。")
    if clue.status != ClueStatus.IN_PROGRESS:
        raise ValidationError(f"线索当前为“{clue.get_status_display()}”,只有整改中的线索可以申请验收。")
    if measures is not None and measures.strip():
        clue.measures = measures.strip()
    if amount_recovered not in (None, ""):
        recovered = _money(amount_recovered, "amount_recovered", "追回金额")
        if recovered > clue.amount_involved:
            raise ValidationError({"amount_recovered": "追回金额不能超过涉及金额。"})
        clue.amount_recovered = recovered
    if not clue.measures:
        raise ValidationError({"measures": "申请验收前请填写整改措施。"})
    if not clue.evidence.exists():
        raise ValidationError("申请验收前请至少上传一份整改佐证材料。")
    clue.status = ClueStatus.AWAITING
    clue.requested_at, clue.requested_by = clock.now(), user
    _save(clue, user=user, reason="申请验收")
    return clue


# --- clues: the county verifies them --------------------------------------------------------------------
def _check_verifier(clue: Clue, user) -> None:
    if not scope_for(user).can_review(clue.village):
        raise PermissionDenied("只有线索所在县市区的审核员或市级可以验收该线索。")
    if clue.status != ClueStatus.AWAITING:
        raise ValidationError(f"线索当前为“{clue.get_status_display()}”,只有待验收的线索可以验收。")


@transaction.atomic
def clue_reject(*, clue: Clue, user, reason: str) -> Clue:
    """待验收 → 整改中: the reviewer returns the clue with the reason the rectification falls short."""
    clue = _locked_clue(clue)
    _refuse_closed(clue)
    _check_verifier(clue, user)
    reason = _required(reason, "reason", "退回须填写原因。")
    clue.status = ClueStatus.IN_PROGRESS
    clue.rejected_at, clue.rejected_by, clue.reject_reason = clock.now(), user, reason
    clue.rejection_count += 1
    _save(clue, user=user, reason=f"退回整改:{reason}")
    return clue


@transaction.atomic
def clue_close(*, clue: Clue, user, note: str = "") -> Clue:
    """待验收 → 已销号: the reviewer verifies the rectification and closes the clue for good."""
    clue = _locked_clue(clue)
    _refuse_closed(clue)
    _check_verifier(clue, user)
    clue.status = ClueStatus.CLOSED
    clue.closed_at, clue.closed_by, clue.close_note = clock.now(), user, (note or "").strip()
    _save(clue, user=user, reason=f"验收销号:{clue.close_note}" if clue.close_note else "验收销号")
    return clue


# --- the overdue snapshot ----------------------------------------------------------------------------
@transaction.atomic
def overdue_snapshot_record(*, day: date | None = None) -> int:
    """Record each county's overdue count for the day; return how many snapshots were new.

    Once a county's day is recorded it stays: running this again the same day changes nothing.
    """
    day = day or clock.today()
    counts = overdue_counts_on(day=day)
    now = clock.now()
    wanted = [
        OverdueSnapshot(
            county_id=county_id,
            date=day,
            overdue=counts.get(county_id, {}).get("overdue", 0),
            open=counts.get(county_id, {}).get("open", 0),
            recorded_at=now,
        )
        for county_id in County.objects.order_by("code").values_list("pk", flat=True)
    ]
    existing = set(OverdueSnapshot.objects.filter(date=day).values_list("county_id", flat=True))
    OverdueSnapshot.objects.bulk_create(
        [s for s in wanted if s.county_id not in existing], ignore_conflicts=True, batch_size=100
    )
    return len([s for s in wanted if s.county_id not in existing])


# --- weak party organisations ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemInput:
    measure: str
    responsible: str
    deadline: date | None


def _item_fields(item: ItemInput, index: int | None = None) -> dict:
    where = f"第 {index} 项:" if index else ""
    if not (item.measure or "").strip():
        raise ValidationError({"items": f"{where}请填写整顿措施。"})
    if not (item.responsible or "").strip():
        raise ValidationError({"items": f"{where}请填写责任人。"})
    if item.deadline is None:
        raise ValidationError({"items": f"{where}请填写完成时限。"})
    return {"measure": item.measure.strip(), "responsible": item.responsible.strip(), "deadline": item.deadline}


@transaction.atomic
def weak_org_create(
    *,
    user,
    village: Village,
    branch_name: str,
    year_listed: int,
    reasons: str,
    responsible_leader: str,
    plan: str = "",
    items: Iterable[ItemInput] = (),
) -> WeakPartyOrganisation:
    """List a village's party organisation as 软弱涣散 with its rectification plan and items."""
    if not perms.may_manage_weak_org(scope_for(user), village):
        raise PermissionDenied("只有该村所在县市区的审核员或市委组织部可以确定软弱涣散党组织。")
    if WeakPartyOrganisation.objects.filter(village=village, year_listed=year_listed).exists():
        raise ValidationError({"year_listed": f"{village.name}党组织 {year_listed} 年已列入整顿。"})
    organisation = WeakPartyOrganisation(
        village=village,
        branch_name=_required(branch_name, "branch_name", "请填写党组织名称。"),
        year_listed=year_listed,
        reasons=_required(reasons, "reasons", "请填写列入原因。"),
        responsible_leader=_required(responsible_leader, "responsible_leader", "请填写联系领导。"),
        plan=(plan or "").strip(),
        created_by=user,
    )
    _save(organisation, user=user, reason="列入软弱涣散基层党组织")
    for number, item in enumerate(items, start=1):
        row = RectificationItem(organisation=organisation, number=number, **_item_fields(item, number))
        _save(row, user=user, reason="制定整顿事项")
    return organisation


def _locked_org(organisation: WeakPartyOrganisation) -> WeakPartyOrganisation:
    return WeakPartyOrganisation.objects.select_for_update().select_related("village__township").get(pk=organisation.pk)


@transaction.atomic
def rectification_item_add(*, organisation: WeakPartyOrganisation, user, item: ItemInput) -> RectificationItem:
    organisation = _locked_org(organisation)
    if not perms.may_manage_weak_org(scope_for(user), organisation.village):
        raise PermissionDenied("只有该村所在县市区的审核员或市委组织部可以修改整顿方案。")
    if organisation.status == WeakOrgStatus.CLOSED:
        raise ValidationError("该党组织已整体销号,不能再增加整顿事项。")
    last = organisation.items.order_by("-number").values_list("number", flat=True).first() or 0
    row = RectificationItem(organisation=organisation, number=last + 1, **_item_fields(item))
    _save(row, user=user, reason="增加整顿事项")
    return row


@transaction.atomic
def rectification_item_progress(*, item: RectificationItem, user, progress: str) -> RectificationItem:
    """The township (or the county) records how an item is going."""
    item = (
        RectificationItem.objects.select_for_update().select_related("organisation__village__township").get(pk=item.pk)
    )
    if not perms.may_report_weak_org_progress(scope_for(user), item.organisation):
        raise PermissionDenied("您无权填报该整顿事项的进展。")
    if item.is_closed:
        raise ValidationError("该整顿事项已销号。")
    item.progress = _required(progress, "progress", "请填写进展情况。")
    _save(item, user=user, reason="填报进展")
    return item


@transaction.atomic
def rectification_item_close(*, item: RectificationItem, user, note: str = "") -> RectificationItem:
    """对账销号 of one item: checked against the plan and closed by the county or the city."""
    item = (
        RectificationItem.objects.select_for_update().select_related("organisation__village__township").get(pk=item.pk)
    )
    if not perms.may_manage_weak_org(scope_for(user), item.organisation.village):
        raise PermissionDenied("只有该村所在县市区的审核员或市委组织部可以对账销号。")
    if item.is_closed:
        raise ValidationError("该整顿事项已销号。")
    if not item.progress.strip():
        raise ValidationError("该事项尚未填报进展情况,不能销号。")
    item.closed_at, item.closed_by, item.close_note = clock.now(), user, (note or "").strip()
    _save(item, user=user, reason="对账销号")
    return item


@transaction.atomic
def weak_org_close(*, organisation: WeakPartyOrganisation, user, note: str = "") -> WeakPartyOrganisation:
    """Close the organisation as a whole: only once every item of its plan is closed."""
    organisation = _locked_org(organisation)
    if not perms.may_manage_weak_org(scope_for(user), organisation.village):
        raise PermissionDenied("只有该村所在县市区的审核员或市委组织部可以整体销号。")
    if organisation.status == WeakOrgStatus.CLOSED:
        raise ValidationError("该党组织已整体销号。")
    items = list(organisation.items.all())
    if not items:
        raise ValidationError("整顿方案还没有整顿事项,不能整体销号。")
    still_open = [str(i.number) for i in items if not i.is_closed]
    if still_open:
        raise ValidationError(f"还有第 {'、'.join(still_open)} 项整顿事项未销号,不能整体销号。")
    organisation.status = WeakOrgStatus.CLOSED
    organisation.closed_at, organisation.closed_by = clock.now(), user
    organisation.close_note = (note or "").strip()
    _save(organisation, user=user, reason="整体销号")
    return organisation


# --- importing a clue list from Excel ------------------------------------------------------------------
@dataclass
class ClueImportPreview:
    """What an upload would import: every row checked, every problem listed with its row and column."""

    rows: list[dict]
    problems: list

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


_FIELD_COLUMNS = {
    "village": excel.COL_CODE,
    "category": excel.COL_CATEGORY,
    "description": excel.COL_DESCRIPTION,
    "amount_involved": excel.COL_AMOUNT,
    "responsible_person": excel.COL_RESPONSIBLE,
    "deadline": excel.COL_DEADLINE,
    "found_on": excel.COL_FOUND,
    "measures": excel.COL_MEASURES,
}


def _import_target(*, inspection, campaign) -> str:
    if (inspection is None) == (campaign is None):
        raise ValidationError("请选择导入到哪一次检查或哪一项自查自纠工作(二选一)。")
    if inspection is not None:
        return INSPECTION_SOURCES.get(inspection.kind, ClueSource.SELF)
    return ClueSource.SELF


def clue_import_preview(
    *, user, file, inspection: Inspection | None = None, campaign: SelfInspectionCampaign | None = None
) -> ClueImportPreview:
    """Read and check an uploaded clue list without saving anything."""
    source = _import_target(inspection=inspection, campaign=campaign)
    scope = scope_for(user)
    sheet_rows, problems = excel.read_clue_sheet(file)
    if problems:
        return ClueImportPreview(rows=[], problems=problems)
    codes = {xlsx.division_code(r.values.get(excel.COL_CODE)) for r in sheet_rows} - {None}
    villages = {v.code: v for v in Village.objects.filter(code__in=codes).select_related("township__county")}
    covered = set(inspection_coverage(inspection=inspection).values_list("pk", flat=True)) if inspection else None
    today = clock.today()
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    for sheet_row in sheet_rows:
        row_problems = _import_row(
            sheet_row,
            scope=scope,
            villages=villages,
            source=source,
            inspection=inspection,
            campaign=campaign,
            covered=covered,
            today=today,
            seen=seen,
            rows=rows,
        )
        problems.extend(row_problems)
    return ClueImportPreview(rows=rows, problems=problems)


def _import_row(sheet_row, *, scope, villages, source, inspection, campaign, covered, today, seen, rows) -> list:
    values, number = sheet_row.values, sheet_row.number
    problems = []

    def problem(column: str, reason: str) -> None:
        problems.append(xlsx.RowError(number, sheet_row.cells.get(column, column), f"{column}:{reason}"))

    raw_code = values.get(excel.COL_CODE)
    code = xlsx.division_code(raw_code)
    village = villages.get(code) if code else None
    if code is None:
        problem(excel.COL_CODE, f"“{xlsx.cell_text(raw_code)}”不是 12 位区划代码。")
    elif village is None:
        problem(excel.COL_CODE, f"区划代码 {code} 不存在。")
    else:
        name = xlsx.cell_text(values.get(excel.COL_NAME))
        if name and name != village.name:
            problem(excel.COL_NAME, f"“{name}”与代码 {code} 对应的“{village.name}”不一致。")
    category_label = xlsx.cell_text(values.get(excel.COL_CATEGORY))
    category = excel.CATEGORY_BY_LABEL.get(category_label)
    if category is None:
        problem(excel.COL_CATEGORY, f"“{category_label}”不是六大类问题之一({'、'.join(excel.CATEGORY_BY_LABEL)})。")
    dates = {}
    for column in (excel.COL_DEADLINE, excel.COL_FOUND):
        try:
            dates[column] = xlsx.cell_date(values.get(column))
        except ValueError as exc:
            problem(column, f"“{exc}”不是有效日期(如 2024-05-31)。")
            dates[column] = False
    if problems or village is None:
        return problems
    data = ClueInput(
        village=village,
        category=category,
        description=xlsx.cell_text(values.get(excel.COL_DESCRIPTION)),
        amount_involved=values.get(excel.COL_AMOUNT),
        responsible_person=xlsx.cell_text(values.get(excel.COL_RESPONSIBLE)),
        deadline=dates[excel.COL_DEADLINE],
        found_on=dates[excel.COL_FOUND],
        measures=xlsx.cell_text(values.get(excel.COL_MEASURES)),
    )
    try:
        fields = clue_validate(
            scope=scope,
            data=data,
            source=source,
            inspection=inspection,
            campaign=campaign,
            covered_village_ids=covered,
            today=today,
        )
    except PermissionDenied as exc:
        problem(excel.COL_CODE, str(exc))
        return problems
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            problem(_FIELD_COLUMNS.get(field_name, excel.COL_CODE), ";".join(messages))
        return problems
    key = (village.pk, fields["description"])
    if key in seen:
        problem(excel.COL_DESCRIPTION, f"与第 {seen[key]} 行是同一村的同一问题,重复了。")
        return problems
    seen[key] = number
    rows.append(fields | {"row": number, "category_label": ClueCategory(fields["category"]).label})
    return problems


@transaction.atomic
def clue_import(
    *, user, file, inspection: Inspection | None = None, campaign: SelfInspectionCampaign | None = None
) -> list[Clue]:
    """Import a whole clue list, or nothing: any problem raises ValidationError listing them all."""
    preview = clue_import_preview(user=user, file=file, inspection=inspection, campaign=campaign)
    if not preview.ok:
        raise ValidationError([f"第 {p.row} 行 {p.column}:{p.reason}" if p.row else p.reason for p in preview.problems])
    county_ids = sorted({row["village"].township.county_id for row in preview.rows})
    for county_id in county_ids:
        _lock_county_sequence(county_id)
    next_seq: dict[str, int] = {}
    clues = []
    now = clock.now()
    for row in preview.rows:
        fields = {k: v for k, v in row.items() if k not in ("row", "category_label")}
        prefix = clue_code_prefix(county_code=fields["village"].township.county.code, year=fields["found_on"].year)
        if prefix not in next_seq:
            next_seq[prefix] = int(_next_code(Clue, prefix, 5)[len(prefix) :])
        clues.append(Clue(code=f"{prefix}{next_seq[prefix]:05d}", created_by=user, created_at=now, **fields))
        next_seq[prefix] += 1
    target = inspection.code if inspection else campaign.name
    return bulk_create_with_history(
        clues, Clue, batch_size=500, default_user=user, default_change_reason=f"Excel 导入线索({target})"
    )
