"""Writes of the organisation app (keyword-only, one transaction each, every change with its reason
in the history). Who may do what is asked of organisation.permissions, so pages and services agree."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from loudi_portal import clock
from rectification import selectors as rectification_selectors
from rectification import services as rectification_services
from villages.models import Township, Village
from villages.scope import scope_for

from . import permissions as perms
from . import sampling
from .models import (
    DECIDED,
    PHONE_VALIDATOR_RE,
    AssessmentKind,
    AssessmentRun,
    AssessmentScore,
    Attendance,
    Finding,
    FindingCategory,
    Handover,
    MemberRole,
    Student,
    StudentStatus,
    Suggestion,
    SuggestionCategory,
    SuggestionSource,
    SuggestionStatus,
    Survey,
    SurveyTownship,
    SurveyVillage,
    TeamMember,
    TeamTerm,
    TraineePosition,
    TrainingSession,
    WeightRule,
    WorkTeam,
)

# A clue raised from a survey finding is due this many days after it is raised.
FINDING_CLUE_DAYS = 60


def _save(obj, *, user, reason: str) -> None:
    obj._change_reason = reason
    obj._history_user = user
    obj.save()


def _required(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _phone(value: str | None, field: str = "phone") -> str:
    value = re.sub(r"\s", "", value or "")
    if value and not re.fullmatch(PHONE_VALIDATOR_RE, value):
        raise ValidationError({field: f"联系电话“{value}”格式不正确(11 位手机号或带区号的座机)。"})
    return value


# --- 驻村工作队 ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberInput:
    name: str
    role: str
    unit: str = ""
    phone: str = ""


def _check_members(members: Sequence[MemberInput]) -> list[dict]:
    if not members:
        raise ValidationError({"members": "请至少填写一名工作队员。"})
    rows, names = [], set()
    for index, member in enumerate(members, start=1):
        name = _required(member.name, "members", f"第 {index} 名队员未填写姓名。")
        if member.role not in MemberRole.values:
            raise ValidationError({"members": f"{name}的职务应为第一书记、队长或队员。"})
        if name in names:
            raise ValidationError({"members": f"{name}在名单中出现了两次。"})
        names.add(name)
        rows.append(
            {
                "name": name,
                "role": member.role,
                "unit": (member.unit or "").strip(),
                "phone": _phone(member.phone, "members"),
            }
        )
    if sum(r["role"] == MemberRole.FIRST_SECRETARY for r in rows) > 1:
        raise ValidationError({"members": "每一轮只能有一名第一书记。"})
    if not any(r["role"] in (MemberRole.FIRST_SECRETARY, MemberRole.LEADER) for r in rows):
        raise ValidationError({"members": "每一轮须有第一书记或队长。"})
    return rows


def _add_members(term: TeamTerm, rows: list[dict], *, user, reason: str) -> None:
    for row in rows:
        _save(TeamMember(term=term, **row), user=user, reason=reason)


@transaction.atomic
def team_create(
    *,
    user,
    code: str,
    name: str,
    dispatching_unit: str,
    village: Village,
    started_on: date,
    members: Sequence[MemberInput],
    other_villages: Iterable[Village] = (),
) -> WorkTeam:
    """Register a team stationed in `village`, with its first term and members."""
    scope = scope_for(user)
    if not perms.may_manage_team(scope, village):
        raise PermissionDenied(f"您无权为{village.name}登记驻村工作队。")
    others = [v for v in other_villages if v.pk != village.pk]
    outside = [v.name for v in others if not perms.may_manage_team(scope, v)]
    if outside:
        raise PermissionDenied(f"以下村(社区)不在您的管辖范围内:{'、'.join(outside)}。")
    code = _required(code, "code", "请填写工作队编号。")
    if WorkTeam.objects.filter(code=code).exists():
        raise ValidationError({"code": f"工作队编号 {code} 已存在。"})
    rows = _check_members(members)
    team = WorkTeam(
        code=code,
        name=_required(name, "name", "请填写工作队名称。"),
        dispatching_unit=_required(dispatching_unit, "dispatching_unit", "请填写派出单位。"),
        village=village,
        created_by=user,
    )
    _save(team, user=user, reason="登记工作队")
    if others:
        team.other_villages.set(others)
    term = TeamTerm(team=team, number=1, started_on=started_on)
    _save(term, user=user, reason="第 1 轮到岗")
    _add_members(term, rows, user=user, reason="第 1 轮到岗")
    return team


@transaction.atomic
def team_rotate(
    *,
    user,
    team: WorkTeam,
    started_on: date,
    members: Sequence[MemberInput],
    handover_items: Sequence[str],
    outgoing_signatory: str,
    incoming_signatory: str,
) -> TeamTerm:
    """轮换: close the current term the day before `started_on`, open the next one with its members,
    and record the 交接清单 signed by both sides."""
    team = WorkTeam.objects.select_for_update().select_related("village__township").get(pk=team.pk)
    if not perms.may_manage_team(scope_for(user), team.village):
        raise PermissionDenied(f"您无权轮换{team.name}。")
    current = TeamTerm.objects.filter(team=team, ended_on__isnull=True).first()
    if current is None:
        raise ValidationError("该工作队没有在岗轮次,无法轮换。")
    if started_on <= current.started_on:
        raise ValidationError({"started_on": f"新一轮到岗日期须晚于本轮到岗日期({current.started_on:%Y-%m-%d})。"})
    items = [item.strip() for item in handover_items if item and item.strip()]
    if not items:
        raise ValidationError({"handover_items": "请填写交接清单(至少一项)。"})
    outgoing_signatory = _required(outgoing_signatory, "outgoing_signatory", "交接清单须由交出方签字。")
    incoming_signatory = _required(incoming_signatory, "incoming_signatory", "交接清单须由接收方签字。")
    rows = _check_members(members)
    current.ended_on = started_on - timedelta(days=1)
    _save(current, user=user, reason="轮换离岗")
    term = TeamTerm(team=team, number=current.number + 1, started_on=started_on)
    _save(term, user=user, reason=f"第 {term.number} 轮到岗")
    _add_members(term, rows, user=user, reason=f"第 {term.number} 轮到岗")
    handover = Handover(
        outgoing=current,
        incoming=term,
        handed_over_on=started_on,
        items=items,
        outgoing_signatory=outgoing_signatory,
        incoming_signatory=incoming_signatory,
        created_by=user,
    )
    _save(handover, user=user, reason="轮换交接")
    return term


# --- 定向培养, 全员培训 --------------------------------------------------------------------------
@dataclass(frozen=True)
class StudentInput:
    name: str
    township: Township
    enrolled_year: int
    major: str
    graduated_year: int | None = None
    village: Village | None = None
    status: str = StudentStatus.STUDYING
    phone: str = ""


def student_validate(*, scope, data: StudentInput) -> dict:
    if not perms.may_manage_training(scope, data.township):
        raise PermissionDenied(f"您无权登记{data.township.name}的定向培养生。")
    if data.status not in StudentStatus.values:
        raise ValidationError({"status": "在岗状态应为在读、待分配、在岗或已离岗。"})
    this_year = clock.today().year
    if not 2000 <= data.enrolled_year <= this_year:
        raise ValidationError({"enrolled_year": f"入学年份应在 2000 至 {this_year} 年之间。"})
    if data.graduated_year is not None and not data.enrolled_year < data.graduated_year <= this_year + 1:
        raise ValidationError({"graduated_year": "毕业年份须晚于入学年份,且不晚于明年。"})
    if data.village is not None and data.village.township.county_id != data.township.county_id:
        raise ValidationError({"village": f"{data.village.name}不在{data.township.name}所在县市区。"})
    studying = data.status == StudentStatus.STUDYING
    if studying and (data.graduated_year or data.village):
        raise ValidationError({"status": "在读学生不能有毕业年份或分配村。"})
    if not studying and data.graduated_year is None:
        raise ValidationError({"graduated_year": "已毕业的须填写毕业年份。"})
    if data.status in (StudentStatus.SERVING, StudentStatus.LEFT) and data.village is None:
        raise ValidationError({"village": "在岗或已离岗的须填写分配到的村(社区)。"})
    if data.status == StudentStatus.AWAITING and data.village is not None:
        raise ValidationError({"status": "已分配到村的,状态应为在岗或已离岗。"})
    return {
        "name": _required(data.name, "name", "请填写姓名。"),
        "township": data.township,
        "enrolled_year": data.enrolled_year,
        "major": _required(data.major, "major", "请填写专业。"),
        "graduated_year": data.graduated_year,
        "village": data.village,
        "status": data.status,
        "phone": _phone(data.phone),
    }


@transaction.atomic
def student_save(*, user, data: StudentInput, student: Student | None = None) -> Student:
    """Register a directed-training student, or update one (graduation, assignment, status)."""
    fields = student_validate(scope=scope_for(user), data=data)
    if student is None:
        student = Student(**fields)
        reason = "登记定向培养生"
    else:
        student = Student.objects.select_for_update().get(pk=student.pk)
        if not perms.may_manage_training(scope_for(user), student.township):
            raise PermissionDenied("您无权修改该定向培养生。")
        for name, value in fields.items():
            setattr(student, name, value)
        reason = "更新定向培养生"
    try:
        with transaction.atomic():
            _save(student, user=user, reason=reason)
    except IntegrityError:
        raise ValidationError({"name": "该乡镇该年级已有同名定向培养生。"}) from None
    return student


@transaction.atomic
def session_create(
    *, user, title: str, kind: str, organiser: str, started_on: date, ended_on: date, hours: Decimal
) -> TrainingSession:
    if not scope_for(user).manages_city:
        raise PermissionDenied("培训班由市委组织部登记。")
    if ended_on < started_on:
        raise ValidationError({"ended_on": "结业日期不能早于开班日期。"})
    if hours is None or hours <= 0:
        raise ValidationError({"hours": "学时须大于 0。"})
    title = _required(title, "title", "请填写培训班名称。")
    if TrainingSession.objects.filter(title=title).exists():
        raise ValidationError({"title": "已有同名培训班。"})
    session = TrainingSession(
        title=title,
        kind=kind,
        organiser=_required(organiser, "organiser", "请填写主办单位。"),
        started_on=started_on,
        ended_on=ended_on,
        hours=hours,
    )
    _save(session, user=user, reason="登记培训班")
    return session


@transaction.atomic
def attendance_record(
    *, user, session: TrainingSession, village: Village, name: str, position: str, hours: Decimal | None = None
) -> Attendance:
    """Record one person's attendance (a clerk for the township's villages, the county and the city)."""
    if not perms.may_record_attendance(scope_for(user), village):
        raise PermissionDenied(f"您无权登记{village.name}的参训人员。")
    if position not in TraineePosition.values:
        raise ValidationError({"position": "请选择职务。"})
    hours = session.hours if hours is None else hours
    if hours <= 0 or hours > session.hours:
        raise ValidationError({"hours": f"参训学时应大于 0 且不超过该班 {session.hours} 学时。"})
    name = _required(name, "name", "请填写姓名。")
    if Attendance.objects.filter(session=session, village=village, name=name).exists():
        raise ValidationError({"name": f"{name}已在该培训班的参训名单中。"})
    attendance = Attendance(session=session, village=village, name=name, position=position, hours=hours)
    _save(attendance, user=user, reason="登记参训")
    return attendance


# --- 建言献策 -------------------------------------------------------------------------------------
def _next_suggestion_code(year: int) -> str:
    prefix = f"JY{year}"
    last = Suggestion.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    seq = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{seq:05d}"


@transaction.atomic
def suggestion_submit(
    *, user, title: str, text: str, category: str, source: str, author: str, village: Village | None = None
) -> Suggestion:
    """Anyone with a role submits a suggestion. It belongs to the village's township when a village
    is named, otherwise to the submitter's own township or county (the city's own have neither)."""
    scope = scope_for(user)
    if not perms.may_submit_suggestion(scope):
        raise PermissionDenied("您没有提交建议的权限。")
    if village is not None and not scope.covers_village(village):
        raise PermissionDenied(f"{village.name}不在您的管辖范围内。")
    if category not in SuggestionCategory.values:
        raise ValidationError({"category": "请选择建议类别。"})
    if source not in SuggestionSource.values:
        raise ValidationError({"source": "请选择建议人身份。"})
    if village is not None:
        township_id, county_id = village.township_id, village.township.county_id
    else:
        county_id, township_id = scope.own_division_ids()
    now = clock.now()
    suggestion = Suggestion(
        title=_required(title, "title", "请填写标题。"),
        text=_required(text, "text", "请填写建议内容。"),
        category=category,
        source=source,
        author=_required(author, "author", "请填写建议人。"),
        village=village,
        township_id=township_id,
        county_id=county_id,
        submitted_at=now,
        submitted_by=user,
    )
    # Codes run per year; a concurrent twin hits the unique code and fails instead of duplicating.
    suggestion.code = _next_suggestion_code(timezone.localtime(now).year)
    try:
        with transaction.atomic():
            _save(suggestion, user=user, reason="提交建议")
    except IntegrityError:
        raise ValidationError("编号冲突,请重新提交。") from None
    return suggestion


def _locked(suggestion: Suggestion) -> Suggestion:
    return Suggestion.objects.select_for_update().get(pk=suggestion.pk)


@transaction.atomic
def suggestion_triage(*, user, suggestion: Suggestion, note: str) -> Suggestion:
    """初审 by the township (another clerk of it than the submitter) or the county: forward to the city."""
    suggestion = _locked(suggestion)
    if suggestion.status != SuggestionStatus.SUBMITTED:
        raise ValidationError(f"该建议当前为“{suggestion.get_status_display()}”,不能再初审。")
    if not perms.may_triage(scope_for(user), suggestion, user):
        raise PermissionDenied("只有建议所在乡镇或县市区可以初审(不能初审自己提交的建议)。")
    suggestion.triage_note = _required(note, "note", "请填写初审意见。")
    suggestion.status = SuggestionStatus.TRIAGED
    suggestion.triaged_at, suggestion.triaged_by = clock.now(), user
    _save(suggestion, user=user, reason="初审")
    return suggestion


@transaction.atomic
def suggestion_decide(*, user, suggestion: Suggestion, decision: str, reply: str) -> Suggestion:
    """The city marks 采纳 / 推广 / 不采纳, with a reply."""
    suggestion = _locked(suggestion)
    if not perms.may_decide(scope_for(user)):
        raise PermissionDenied("建议由市委组织部办理。")
    if suggestion.status in DECIDED:
        raise ValidationError(f"该建议已办理(“{suggestion.get_status_display()}”)。")
    if decision not in DECIDED:
        raise ValidationError({"decision": "请选择采纳、推广或不采纳。"})
    suggestion.reply = _required(reply, "reply", "请填写答复意见。")
    suggestion.status = decision
    suggestion.decided_at, suggestion.decided_by = clock.now(), user
    _save(suggestion, user=user, reason=f"市级办理:{SuggestionStatus(decision).label}")
    return suggestion


@transaction.atomic
def suggestion_publish(*, user, suggestion: Suggestion) -> Suggestion:
    """Publish an adopted or promoted suggestion as a 金点子 everyone in the portal reads."""
    suggestion = _locked(suggestion)
    if not perms.may_decide(scope_for(user)):
        raise PermissionDenied("金点子由市委组织部发布。")
    if suggestion.status not in (SuggestionStatus.ADOPTED, SuggestionStatus.PROMOTED):
        raise ValidationError("只有采纳或推广的建议可以发布为金点子。")
    if suggestion.published_at is not None:
        raise ValidationError("该建议已发布为金点子。")
    suggestion.published_at, suggestion.published_by = clock.now(), user
    _save(suggestion, user=user, reason="发布为金点子")
    return suggestion


# --- 评估调研 -------------------------------------------------------------------------------------
@transaction.atomic
def finding_category_save(
    *, user, name: str, order: int, clue_category: str, category: FindingCategory | None = None
) -> FindingCategory:
    if not scope_for(user).manages_city:
        raise PermissionDenied("调研问题类别由市委组织部维护。")
    if clue_category not in dict(rectification_selectors.clue_category_choices()):
        raise ValidationError({"clue_category": "请选择转为线索时的线索类别。"})
    name = _required(name, "name", "请填写类别名称。")
    if FindingCategory.objects.filter(name=name).exclude(pk=getattr(category, "pk", None)).exists():
        raise ValidationError({"name": "已有同名问题类别。"})
    category = category or FindingCategory()
    category.name, category.order, category.clue_category = name, order, clue_category
    _save(category, user=user, reason="维护问题类别")
    return category


@transaction.atomic
def survey_draw(
    *, user, name: str, seed: int, tier_year: int, township_count: int, village_count: int, group_count: int
) -> Survey:
    """Draw and record a stratified random sample (see organisation.sampling)."""
    if not scope_for(user).manages_city:
        raise PermissionDenied("评估调研抽样由市委组织部进行。")
    name = _required(name, "name", "请填写调研名称。")
    if Survey.objects.filter(name=name).exists():
        raise ValidationError({"name": "已有同名调研。"})
    draw = sampling.draw(
        seed=seed,
        tier_year=tier_year,
        township_count=township_count,
        village_count=village_count,
        group_count=group_count,
    )
    survey = Survey(
        name=name,
        seed=seed,
        tier_year=tier_year,
        township_count=township_count,
        village_count=village_count,
        group_count=group_count,
        drawn_by=user,
    )
    _save(survey, user=user, reason=f"抽样(种子 {seed})")
    SurveyTownship.objects.bulk_create(
        SurveyTownship(survey=survey, township_id=t.township_id, group=t.group) for t in draw.townships
    )
    SurveyVillage.objects.bulk_create(
        SurveyVillage(survey=survey, village_id=v.village_id, tier=v.tier, group=v.group) for v in draw.villages
    )
    return survey


@transaction.atomic
def finding_record(*, user, survey: Survey, village: Village, category: FindingCategory, description: str) -> Finding:
    if not scope_for(user).manages_city:
        raise PermissionDenied("调研发现由市委组织部调研组登记。")
    if not SurveyVillage.objects.filter(survey=survey, village=village).exists():
        raise ValidationError({"village": f"{village.name}不是本次调研的样本村。"})
    finding = Finding(
        survey=survey,
        village=village,
        category=category,
        description=_required(description, "description", "请填写问题描述。"),
        recorded_by=user,
    )
    _save(finding, user=user, reason="登记调研发现")
    return finding


@transaction.atomic
def finding_to_clue(*, user, finding: Finding, responsible_person: str, deadline: date | None = None):
    """Turn a finding into a rectification clue (source 评估调研) through rectification's own
    service, which checks the user's right and numbers the clue. One clue per finding."""
    finding = (
        Finding.objects.select_for_update().select_related("village__township__county", "category").get(pk=finding.pk)
    )
    if finding.clue_id is not None:
        raise ValidationError(f"该问题已转为线索 {finding.clue.code}。")
    today = clock.today()
    clue = rectification_services.clue_create(
        user=user,
        source=rectification_selectors.SURVEY_SOURCE,
        data=rectification_services.ClueInput(
            village=finding.village,
            category=finding.category.clue_category,
            description=f"评估调研“{finding.survey.name}”发现({finding.category.name}):{finding.description}",
            amount_involved=None,
            responsible_person=responsible_person,
            deadline=deadline or today + timedelta(days=FINDING_CLUE_DAYS),
            found_on=today,
        ),
    )
    finding.clue = clue
    _save(finding, user=user, reason=f"转为线索 {clue.code}")
    return clue


# --- 考核 ---------------------------------------------------------------------------------------
def _weight(value, key: str) -> Decimal:
    try:
        weight = Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        raise ValidationError({key: f"权重“{value}”不是数字。"}) from None
    if not weight.is_finite() or weight < 0 or weight > 100:
        raise ValidationError({key: "权重应在 0 到 100 之间。"})
    if weight.as_tuple().exponent < -2:
        raise ValidationError({key: "权重最多两位小数。"})
    return weight


@transaction.atomic
def weight_rule_save(*, user, weights: dict, note: str = "") -> WeightRule:
    """A new version of the weights (earlier versions and their scores stay as they were)."""
    from .assessment import INDICATORS

    if not scope_for(user).manages_city:
        raise PermissionDenied("考核权重由市委组织部制定。")
    unknown = set(weights) - set(INDICATORS)
    if unknown:
        raise ValidationError({"weights": f"未知指标:{'、'.join(sorted(unknown))}。"})
    clean = {key: str(_weight(weights.get(key, 0), key)) for key in INDICATORS}
    if sum(Decimal(v) for v in clean.values()) <= 0:
        raise ValidationError({"weights": "权重合计须大于 0。"})
    last = WeightRule.objects.select_for_update().order_by("-version").first()
    rule = WeightRule(
        version=(last.version + 1) if last else 1, weights=clean, note=(note or "").strip(), created_by=user
    )
    _save(rule, user=user, reason=f"制定权重第 {rule.version} 版")
    return rule


@transaction.atomic
def assessment_compute(*, user, year: int, kind: str, rule: WeightRule | None = None) -> AssessmentRun:
    """Compute one kind's sheet for a year under a weight version (the latest by default). A sheet
    once computed for a version is kept as it is; new weights make a new sheet."""
    from . import assessment

    if not scope_for(user).manages_city:
        raise PermissionDenied("考核由市委组织部计算。")
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": "请选择考核类别。"})
    rule = rule or WeightRule.objects.order_by("-version").first()
    if rule is None:
        raise ValidationError("请先制定考核权重。")
    if AssessmentRun.objects.filter(year=year, kind=kind, rule=rule).exists():
        raise ValidationError(f"{year} 年该类考核已按权重第 {rule.version} 版计算,结果不可更改;如需调整请先修订权重。")
    rows = assessment.sheet_rows(year=year, kind=kind, weights=rule.weights)
    run = AssessmentRun(year=year, kind=kind, rule=rule, computed_by=user)
    _save(run, user=user, reason=f"按权重第 {rule.version} 版计算")
    AssessmentScore.objects.bulk_create(
        AssessmentScore(
            run=run,
            subject_code=row.code,
            subject_name=row.name,
            county_id=row.county_id,
            township_id=row.township_id,
            village_count=row.village_count,
            indicators=row.indicators_json(),
            score=row.score,
        )
        for row in rows
    )
    return run


# --- Excel import (teams, students): preview and import are the same run --------------------------
@dataclass
class ImportResult:
    """What an import did (or, as a preview, would do): one line per team or student, or the
    problems by row and column. With any problem nothing is saved."""

    rows: list[dict]
    problems: list

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rollback(Exception):
    pass


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or "您无权执行该操作。"]


def _import_run(work, *, dry_run: bool) -> ImportResult:
    """Run `work` in one transaction; roll it back when previewing or when any row failed."""
    result = ImportResult(rows=[], problems=[])
    try:
        with transaction.atomic():
            work(result)
            if dry_run or result.problems:
                raise _Rollback
    except _Rollback:
        pass
    return result


def _cell_date(value):
    from loudi_portal import xlsx

    try:
        return xlsx.cell_date(value)
    except ValueError:
        return None


def team_import(*, user, file, dry_run: bool) -> ImportResult:
    """Register the teams of an uploaded workbook (one row per member, grouped by team code)."""
    from loudi_portal import xlsx

    from . import excel

    rows, problems = excel.read_import_sheet(file, "teams")
    if problems:
        return ImportResult(rows=[], problems=problems)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(xlsx.cell_text(row.values.get("工作队编号")), []).append(row)
    codes = {xlsx.division_code(r.values.get("驻点村代码")) for r in rows} - {None}
    villages = {v.code: v for v in Village.objects.filter(code__in=codes).select_related("township__county")}
    roles = {label: value for value, label in MemberRole.choices}

    def work(result: ImportResult) -> None:
        for code, group in groups.items():
            first = group[0]
            number = first.number

            def fail(column: str, message: str, number=number) -> None:
                result.problems.append(xlsx.RowError(number, column, message))

            village = villages.get(xlsx.division_code(first.values.get("驻点村代码")) or "")
            started_on = _cell_date(first.values.get("到岗日期"))
            if village is None:
                fail("驻点村代码", "村(社区)代码不存在,应为 12 位统计用区划代码。")
                continue
            if started_on is None:
                fail("到岗日期", "请填写到岗日期,如 2024-04-01。")
                continue
            bad_role = next((r for r in group if xlsx.cell_text(r.values.get("职务")) not in roles), None)
            if bad_role is not None:
                result.problems.append(
                    xlsx.RowError(
                        bad_role.number,
                        "职务",
                        f"职务“{xlsx.cell_text(bad_role.values.get('职务'))}”应为第一书记、队长或队员。",
                    )
                )
                continue
            members = [
                MemberInput(
                    name=xlsx.cell_text(r.values.get("姓名")),
                    role=roles[xlsx.cell_text(r.values.get("职务"))],
                    unit=xlsx.cell_text(r.values.get("所在单位及职务")),
                    phone=xlsx.cell_text(r.values.get("联系电话")),
                )
                for r in group
            ]
            try:
                with transaction.atomic():
                    team = team_create(
                        user=user,
                        code=code,
                        name=xlsx.cell_text(first.values.get("工作队名称")),
                        dispatching_unit=xlsx.cell_text(first.values.get("派出单位")),
                        village=village,
                        started_on=started_on,
                        members=members,
                    )
            except (ValidationError, PermissionDenied) as exc:
                for message in _messages(exc):
                    fail("", f"工作队 {code}:{message}")
                continue
            result.rows.append(
                {"row": number, "code": team.code, "name": team.name, "village": village, "members": len(members)}
            )

    return _import_run(work, dry_run=dry_run)


def student_import(*, user, file, dry_run: bool) -> ImportResult:
    """Register or update the directed-training students of an uploaded workbook (keyed by 定向乡镇,
    入学年份 and 姓名)."""
    from loudi_portal import xlsx

    from . import excel

    rows, problems = excel.read_import_sheet(file, "students")
    if problems:
        return ImportResult(rows=[], problems=problems)
    township_codes = {xlsx.division_code(r.values.get("定向乡镇代码"), length=9) for r in rows} - {None}
    townships = {t.code: t for t in Township.objects.filter(code__in=township_codes)}
    village_codes = {xlsx.division_code(r.values.get("分配到村代码")) for r in rows} - {None}
    villages = {v.code: v for v in Village.objects.filter(code__in=village_codes).select_related("township")}
    statuses = {label: value for value, label in StudentStatus.choices}

    def year(value):
        try:
            number = xlsx.cell_decimal(value)
        except xlsx.NotANumber:
            return "bad"
        return int(number) if number is not None and number == int(number) else (None if number is None else "bad")

    def work(result: ImportResult) -> None:
        for row in rows:
            v = row.values

            def fail(column: str, message: str, number=row.number) -> None:
                result.problems.append(xlsx.RowError(number, column, message))

            township = townships.get(xlsx.division_code(v.get("定向乡镇代码"), length=9) or "")
            village_code = xlsx.cell_text(v.get("分配到村代码"))
            village = villages.get(xlsx.division_code(village_code) or "") if village_code else None
            enrolled, graduated = year(v.get("入学年份")), year(v.get("毕业年份"))
            status = statuses.get(xlsx.cell_text(v.get("在岗状态")))
            if township is None:
                fail("定向乡镇代码", "乡镇代码不存在,应为 9 位统计用区划代码。")
            elif village_code and village is None:
                fail("分配到村代码", "村(社区)代码不存在,应为 12 位统计用区划代码。")
            elif enrolled in (None, "bad") or graduated == "bad":
                fail("入学年份" if enrolled in (None, "bad") else "毕业年份", "年份应为四位数字,如 2021。")
            elif status is None:
                fail("在岗状态", "在岗状态应为在读、待分配、在岗或已离岗。")
            else:
                data = StudentInput(
                    name=xlsx.cell_text(v.get("姓名")),
                    township=township,
                    enrolled_year=enrolled,
                    major=xlsx.cell_text(v.get("专业")),
                    graduated_year=graduated,
                    village=village,
                    status=status,
                    phone=xlsx.cell_text(v.get("联系电话")),
                )
                existing = Student.objects.filter(
                    township=township, enrolled_year=enrolled, name=data.name.strip()
                ).first()
                try:
                    with transaction.atomic():
                        student = student_save(user=user, data=data, student=existing)
                except (ValidationError, PermissionDenied) as exc:
                    for message in _messages(exc):
                        fail("", message)
                    continue
                result.rows.append({"row": row.number, "student": student, "updated": existing is not None})

    return _import_run(work, dry_run=dry_run)
