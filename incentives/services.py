"""Writes of the incentives app: plans, the acceptance computation, the joint sign-off, unlocks.

The acceptance reads income only through villages.selectors (income_unit_stats, approved_incomes,
tier_of) and closes or unlocks a year through villages.services.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from loudi_portal import clock
from villages import selectors as village_selectors
from villages import services as village_services
from villages.city import city_name
from villages.models import County, IncomeStatus, Role
from villages.scope import scope_for

from .models import (
    SIGNOFF_ROLES,
    AcceptanceRun,
    AcceptanceSignoff,
    AcceptanceVillageResult,
    CountyTarget,
    OverBudgetPolicy,
    RunStatus,
    TargetPlan,
    YearUnlock,
)
from .rules import (
    CITY_CODE,
    SIGN_REFUSALS,
    TARGET_KEYS,
    UnitTargets,
    evaluate_unit,
    money,
    rewards_compute,
    sign_refusal,
)

logger = logging.getLogger(__name__)

# The 2024 allocation of the city's counts to the counties (the seed's plan): (50万元以上, 100万元以上).
DEFAULT_COUNTY_COUNTS = {
    "431322": (30, 6),  # 新化县
    "431321": (25, 5),  # 双峰县
    "431382": (24, 5),  # 涟源市
    "431302": (13, 2),  # 娄星区
    "431381": (8, 2),  # 冷水江市
}
# The fields of a plan an official sets, and of a county's allocation: one list for the services,
# the edit form and the API.
COUNTY_FIELDS = (
    "clearing_threshold",
    "share_threshold",
    "share_required",
    "count_500k_threshold",
    "count_500k_required",
    "count_1m_threshold",
    "count_1m_required",
)
PLAN_FIELDS = (
    *COUNTY_FIELDS,
    "reward_budget",
    "award_per_county",
    "matching_ratio",
    "over_budget_policy",
    "note",
)
QUEUE_UNAVAILABLE = "任务队列不可用,请稍后重试或联系管理员。"
RUN_STUCK = "计算超时:计算进程可能已中断,本次结果作废,请重新发起验收计算。"
CLOSED_YEAR = "{year} 年度已关账,如需重算请先由管理员解锁。"
# How many villages "closest below" each threshold the run keeps per unit.
CLOSEST_LIMIT = 10


# --- plans -------------------------------------------------------------------------------------


def _require_org_department(user) -> None:
    """Every write names its actor: a portal user, or the system actor of a command or demo data."""
    if user is None or not scope_for(user).manages_city:
        raise PermissionDenied("只有市委组织部可以设定目标任务和发起年终验收。")


def _refuse_closed_year(year: int) -> None:
    if village_selectors.year_is_closed(year=year):
        raise ValidationError(f"{year} 年度已完成联合验收并关账,目标任务不能再修改。")


def target_plan_draft(*, year: int) -> tuple[TargetPlan, TargetPlan | None]:
    """The plan `target_plan_create` would save for `year` (unsaved), and the plan it copies (the
    latest earlier one; None: Loudi's defaults). The 新建 page shows it for review first."""
    source = TargetPlan.objects.filter(year__lt=year).order_by("-year").first()
    plan = TargetPlan(year=year)
    if source is not None:
        for field in PLAN_FIELDS:
            setattr(plan, field, getattr(source, field))
        plan.note = ""
    return plan, source


@transaction.atomic
def target_plan_create(*, year: int, user) -> TargetPlan:
    """A new year's plan: a copy of the latest earlier plan, or Loudi's defaults, with every county.

    `user` is the organisation department's official, or the system actor of a command or the demo.
    """
    _require_org_department(user)
    if TargetPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year} 年度目标任务已存在。"})
    plan, source = target_plan_draft(year=year)
    plan.updated_by = user
    plan.full_clean()
    plan._change_reason = f"新建(参照 {source.year} 年度)" if source else "新建(默认目标)"
    plan._history_user = user
    plan.save()
    copied = {t.county.code: t for t in source.county_targets.select_related("county")} if source else {}
    for county in County.objects.order_by("code"):
        target = CountyTarget(plan=plan, county=county)
        if county.code in copied:
            for field in COUNTY_FIELDS:
                setattr(target, field, getattr(copied[county.code], field))
        else:
            target.count_500k_required, target.count_1m_required = DEFAULT_COUNTY_COUNTS.get(county.code, (0, 0))
        target._change_reason = plan._change_reason
        target._history_user = user
        target.save()
    return plan


@transaction.atomic
def target_plan_update(
    *, plan: TargetPlan, user, data: dict, counties: dict[str, dict] | None = None, reason: str = ""
) -> TargetPlan:
    """Change the city's targets and reward settings and the counties' allocations, all or nothing.

    `data` holds plan fields, `counties` {county code: {field: value}}. Only what changed is saved,
    so the history shows each real change once.
    """
    _require_org_department(user)
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    _refuse_closed_year(plan.year)
    change_reason = reason.strip() or "修改目标任务"
    if any(getattr(plan, f) != v for f, v in data.items() if f in PLAN_FIELDS):
        for field, value in data.items():
            if field in PLAN_FIELDS:
                setattr(plan, field, value)
        plan.updated_by = user
        plan.full_clean()
        plan._change_reason = change_reason
        plan._history_user = user
        plan.save()
    errors = {}
    targets = {t.county.code: t for t in plan.county_targets.select_related("county", "plan")}
    for code, values in (counties or {}).items():
        target = targets.get(code)
        if target is None:
            raise ValidationError(f"区划代码 {code} 不是{city_name()}的县市区。")
        if not any(getattr(target, f) != v for f, v in values.items() if f in COUNTY_FIELDS):
            continue
        for field, value in values.items():
            if field in COUNTY_FIELDS:
                setattr(target, field, value)
        try:
            target.full_clean()
        except ValidationError as exc:
            errors[target.county.name] = exc.messages
            continue
        target._change_reason = change_reason
        target._history_user = user
        target.save()
    if errors:
        raise ValidationError([f"{name}:{';'.join(msgs)}" for name, msgs in errors.items()])
    return plan


@transaction.atomic
def target_plan_import(*, year: int, rows: list[dict], user) -> TargetPlan:
    """Apply a validated targets sheet (incentives.importers): the city row (CITY_CODE) sets the city's
    share and counts, each county row its own; a blank county share follows the city's."""
    _require_org_department(user)
    _refuse_closed_year(year)
    plan = TargetPlan.objects.filter(year=year).first() or target_plan_create(year=year, user=user)
    city = next(r for r in rows if r["code"] == CITY_CODE)
    counties = {
        r["code"]: {
            "share_required": r["share_required"],
            "count_500k_required": r["count_500k"],
            "count_1m_required": r["count_1m"],
        }
        for r in rows
        if r["code"] != CITY_CODE
    }
    return target_plan_update(
        plan=plan,
        user=user,
        data={
            "share_required": city["share_required"],
            "count_500k_required": city["count_500k"],
            "count_1m_required": city["count_1m"],
        },
        counties=counties,
        reason="从 Excel 导入目标任务分解",
    )


def plan_snapshot(plan: TargetPlan) -> dict:
    """The plan as the run will use it: every unit's effective targets and the reward settings."""
    targets = {t.county.code: t for t in plan.county_targets.select_related("county", "plan")}
    missing = [c.name for c in County.objects.order_by("code") if c.code not in targets]
    if missing:
        raise ValidationError(f"{plan.year} 年度目标尚未分解到:{'、'.join(missing)}。")
    city = UnitTargets(**{f: getattr(plan, f) for f in COUNTY_FIELDS})
    return {
        "plan_id": plan.pk,
        "year": plan.year,
        "plan_updated_at": plan.updated_at.isoformat() if plan.updated_at else None,
        "city": city.to_json(),
        "counties": {
            code: {"name": t.county.name, **UnitTargets(**{f: t.effective(f) for f in COUNTY_FIELDS}).to_json()}
            for code, t in sorted(targets.items())
        },
        "reward_budget": money(plan.reward_budget),
        "award_per_county": money(plan.award_per_county),
        "matching_ratio": str(plan.matching_ratio),
        "over_budget_policy": plan.over_budget_policy,
    }


# --- the acceptance ----------------------------------------------------------------------------


def _stuck(now=None) -> Q:
    """Runs queued or running for longer than settings.ACCEPTANCE_RUN_TIMEOUT seconds: their worker
    died or their message was lost (no run takes that long)."""
    cutoff = (now or clock.now()) - timedelta(seconds=settings.ACCEPTANCE_RUN_TIMEOUT)
    return Q(status=RunStatus.QUEUED, created_at__lt=cutoff) | Q(status=RunStatus.RUNNING, started_at__lt=cutoff)


def acceptance_start(*, year: int, user, enqueue: bool = True) -> AcceptanceRun:
    """Queue a new version of the year's acceptance with a snapshot of the plan.

    A closed year is refused (its signed run stays the latest until an administrator unlocks it).
    With `enqueue` the Celery task is sent once the run row is committed (the worker must find it);
    when the queue cannot take it the run is returned failed with the reason, and a new one may be
    started at once. `user` None is the command line (`run_acceptance`), which computes
    synchronously instead.
    """
    _require_org_department(user)
    with transaction.atomic():
        # Locking the plan serialises version numbers for the year.
        plan = TargetPlan.objects.select_for_update().filter(year=year).first()
        if village_selectors.year_is_closed(year=year):
            raise ValidationError(CLOSED_YEAR.format(year=year))
        if plan is None:
            raise ValidationError(f"尚未设定 {year} 年度目标任务,请先设定目标。")
        active = (
            AcceptanceRun.objects.filter(year=year, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            .exclude(_stuck())
            .first()
        )
        if active is not None:
            raise ValidationError(f"{active} 正在计算,请等待其完成后再发起。")
        version = (AcceptanceRun.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1
        run = AcceptanceRun(year=year, version=version, plan=plan, started_by=user, plan_snapshot=plan_snapshot(plan))
        run._change_reason = "发起验收计算"
        run._history_user = user
        run.save()
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run))
    return run


def _enqueue(run: AcceptanceRun) -> None:
    """Send the run to the worker; if the broker cannot take it (down, unreachable: the settings
    bound how long that takes), the run is failed with the reason instead of staying queued."""
    from .tasks import acceptance_compute as task

    try:
        task.delay(run.pk)
    except Exception:  # kombu and redis raise many kinds for a broker that is down
        logger.exception("acceptance run %s could not be queued", run.pk)
        _mark_failed(run.pk, QUEUE_UNAVAILABLE)
        run.refresh_from_db()


def acceptance_runs_fail_stuck() -> int:
    """Fail the runs stuck in the queue or in a worker that died (beat, every few minutes), so the
    page tells the truth and a new version can start. A run whose row is locked is being computed
    right now and is left alone. Returns how many were failed."""
    failed = 0
    for run_id in AcceptanceRun.objects.filter(_stuck()).values_list("pk", flat=True):
        with transaction.atomic():
            run = AcceptanceRun.objects.select_for_update(skip_locked=True).filter(_stuck(), pk=run_id).first()
            if run is None:
                continue
            run.status = RunStatus.FAILED
            run.error = RUN_STUCK
            run.finished_at = clock.now()
            run._change_reason = "计算超时"
            run.save(update_fields=["status", "error", "finished_at"])
            failed += 1
    return failed


@contextmanager
def _consistent_snapshot() -> Iterator[None]:
    """One transaction in which every query sees the same data.

    On PostgreSQL the outermost transaction runs REPEATABLE READ, so an approval committed while the
    run computes cannot make the aggregates and the village rows disagree. (SQLite's transactions
    already read one snapshot.)
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def acceptance_compute(*, run_id: int) -> AcceptanceRun:
    """Compute a queued run. Safe to call twice: a done run is returned as it is; any other state
    is recomputed from scratch in one transaction, so a failure leaves no half-written results.

    Database errors that may pass (connection lost, serialisation) are re-raised after the run is
    marked failed, so the Celery task can retry; any other error only marks it failed.
    """
    with transaction.atomic():
        run = AcceptanceRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run
        run.status = RunStatus.RUNNING
        run.started_at = clock.now()
        run.attempts += 1
        run.error = ""
        run._change_reason = f"开始第 {run.attempts} 次计算"
        run.save(update_fields=["status", "started_at", "attempts", "error"])
    try:
        with _consistent_snapshot():
            run = AcceptanceRun.objects.select_for_update().get(pk=run_id)
            if run.status == RunStatus.DONE:  # a twin delivery of the task finished it meanwhile
                return run
            # Rows of an attempt that died half-way (they never commit, but be certain).
            AcceptanceVillageResult.objects.filter(run=run).delete()
            run.results, run.details = _compute(run)
            run.status = RunStatus.DONE
            run.finished_at = clock.now()
            run._change_reason = "计算完成"
            run.save(update_fields=["results", "details", "status", "finished_at"])
    except Exception as exc:
        logger.exception("acceptance run %s failed", run_id)
        _mark_failed(run_id, _error_message(exc))
        if isinstance(exc, OperationalError | InterfaceError):
            raise
        run = AcceptanceRun.objects.get(pk=run_id)
    return run


def _error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "计算失败:" + ";".join(exc.messages)
    return f"计算失败({type(exc).__name__}):{exc}"


def _mark_failed(run_id: int, message: str) -> None:
    with transaction.atomic():
        run = AcceptanceRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE:
            return
        run.status = RunStatus.FAILED
        run.error = message
        run.finished_at = clock.now()
        run._change_reason = "计算失败"
        run.save(update_fields=["status", "error", "finished_at"])


def _compute(run: AcceptanceRun) -> tuple[dict, dict]:
    """The acceptance of `run.year` with the run's plan snapshot, in a fixed number of queries
    whatever the number of villages or counties: the village rows are written by the database (one
    INSERT … SELECT), and every figure is then read from those rows (two aggregates, the villages
    below the clearing line, the closest villages under each line)."""
    snap = run.plan_snapshot
    year = run.year
    city_targets = UnitTargets.from_json(snap["city"])
    county_targets = {code: UnitTargets.from_json(data) for code, data in snap["counties"].items()}

    unknown = set(County.objects.values_list("code", flat=True)) - set(county_targets)
    if unknown:
        raise ValidationError(f"目标快照未包含县市区:{'、'.join(sorted(unknown))},请修改目标任务后重新发起。")

    _village_rows_create(run, county_targets)
    stats = _unit_figures(run, city_targets, county_targets)
    for code, data in snap["counties"].items():
        # A county without villages still has its unit (nothing counted).
        stats.setdefault(code, _no_villages(code, data["name"]))
    below = _below_clearing(run, city_targets)
    closest = _closest_below(run, city_targets, county_targets)

    units = {}
    for code, targets in [(CITY_CODE, city_targets), *sorted(county_targets.items())]:
        unit = stats[code]
        # The village lists and the aggregates are read from the same rows; disagreeing means a bug.
        if len(below.get(code, [])) != unit["villages"] - unit["clear"]:
            raise RuntimeError(f"{unit['name']}低于清零线的村数与汇总不一致。")
        units[code] = evaluate_unit(
            code=code,
            name=unit["name"],
            villages=unit["villages"],
            approved=unit["approved"],
            clear=unit["clear"],
            share_count=unit["share"],
            count_500k=unit["count_500k"],
            count_1m=unit["count_1m"],
            average_total=unit["avg_total"],
            previous_average_total=unit["previous_avg_total"],
            below=below.get(code, []),
            targets=targets,
        )

    county_codes = sorted(county_targets)
    rewards = rewards_compute(
        passed=[c for c in county_codes if units[c]["passed"]],
        budget=Decimal(snap["reward_budget"]),
        award=Decimal(snap["award_per_county"]),
        matching_ratio=Decimal(snap["matching_ratio"]),
        scale_over_budget=snap["over_budget_policy"] == OverBudgetPolicy.SCALE,
    )
    for code in county_codes:
        units[code]["reward"] = money(rewards.awards.get(code, Decimal("0")))
        units[code]["matching"] = money(rewards.matching.get(code, Decimal("0")))

    results = {
        "year": year,
        "run": run.version,
        "city": units[CITY_CODE],
        "counties": [units[c] for c in county_codes],
        "rewards": {"budget": snap["reward_budget"], "total": money(rewards.total)},
    }
    details = {
        "units": {
            code: {
                "approved": unit["approved"],
                "draft": unit["draft"],
                "submitted": unit["submitted"],
                "no_report": unit["villages"] - unit["approved"] - unit["draft"] - unit["submitted"],
                "sum_total": money(unit["sum_total"]),
                "sum_operating": money(unit["sum_operating"]),
                "previous_average_total": money(unit["previous_avg_total"]),
                "counts": {k: unit[k] for k in ("clear", "share", "count_500k", "count_1m")},
                "tiers": {
                    "weak": unit["tier_weak"],
                    "middle": unit["tier_middle"],
                    "strong": unit["tier_strong"],
                    "million": unit["tier_million"],
                },
                "targets": (city_targets if code == CITY_CODE else county_targets[code]).to_json(),
                "closest": closest.get(code, {key: [] for key in TARGET_KEYS}),
            }
            for code, unit in [(CITY_CODE, stats[CITY_CODE]), *((c, stats[c]) for c in county_codes)]
        },
        "rewards": {
            "budget": snap["reward_budget"],
            "award_per_county": snap["award_per_county"],
            "matching_ratio": snap["matching_ratio"],
            "policy": snap["over_budget_policy"],
            "passed": [c for c in county_codes if units[c]["passed"]],
            "requested": money(rewards.requested),
            "over_budget": rewards.over_budget,
            "scaled": rewards.scaled,
            "total": money(rewards.total),
            "matching_total": money(rewards.matching_total),
        },
    }
    return results, details


# The figures a village row copies from the approved report (NULL without one).
VILLAGE_FIGURES = (
    "operating_revenue",
    "contracting_revenue",
    "investment_income",
    "subsidy_income",
    "other_income",
    "total_income",
    "operating_income",
)
# How each target is measured on a village row, and the plan's line it is measured against.
MEASURES = {
    "clearing": ("total_income", "clearing_threshold"),
    "share_100k": ("operating_income", "share_threshold"),
    "count_500k": ("operating_income", "count_500k_threshold"),
    "count_1m": ("operating_income", "count_1m_threshold"),
}


# The named counts of a unit and the target each is counted for.
_COUNTS = {"clear": "clearing", "share": "share_100k", "count_500k": "count_500k", "count_1m": "count_1m"}
CENT_PLACES = Decimal("0.01")


def _lines(field: str, lookup: str, lines_by_county: dict[str, Decimal], county_field: str = "county_code") -> Q:
    """`field` compared (`lookup`: "lt", "gte") with the county's line, with one condition per
    distinct line (usually one for the whole city), not one per county: a long OR of counties makes
    the planner's work grow with the country."""
    counties_by_line: dict[Decimal, list[str]] = defaultdict(list)
    for code, line in lines_by_county.items():
        counties_by_line[line].append(code)
    if len(counties_by_line) == 1:
        return Q(**{f"{field}__{lookup}": next(iter(counties_by_line))})
    compared = Q()
    for line, codes in counties_by_line.items():
        compared |= Q(**{f"{county_field}__in": codes, f"{field}__{lookup}": line})
    return compared


def _village_rows_create(run: AcceptanceRun, county_targets: dict[str, UnitTargets]) -> None:
    """Every village's figures as counted (approved report only), its report's status and last
    year's approved 总收入, written by the database itself: one INSERT … SELECT, no village passes
    through Python."""
    clearing = {code: t.clearing_threshold for code, t in county_targets.items()}
    approved = Q(report__status=IncomeStatus.APPROVED)
    # The approved report's figures, NULL for a village whose report of the year is not approved.
    figures = {f"a_{f}": Case(When(approved, then=F(f"report__{f}"))) for f in VILLAGE_FIGURES}
    below = Q(a_total_income__isnull=True) | _lines(
        "a_total_income", "lt", clearing, county_field="township__county__code"
    )
    columns = {
        "run_id": Value(run.pk),
        "village_id": F("pk"),
        "county_code": F("township__county__code"),
        "county_name": F("township__county__name"),
        "township_code": F("township__code"),
        "township_name": F("township__name"),
        "village_code": F("code"),
        "village_name": F("name"),
        "kind": F("kind"),
        "approved": ExpressionWrapper(Q(a_total_income__isnull=False), output_field=BooleanField()),
        **{f: F(f"a_{f}") for f in VILLAGE_FIGURES},
        "tier": village_selectors.tier_expression("a_operating_income"),
        "below_clearing": ExpressionWrapper(below, output_field=BooleanField()),
        "note": Coalesce(Case(When(approved, then=F("report__note"))), Value(""), output_field=TextField()),
        "report_status": Coalesce(F("report__status"), Value(""), output_field=TextField()),
        "previous_total_income": F("previous_report__total_income"),
    }
    # Aliases, so no name clashes with the village's own fields; SELECT follows this order.
    select = (
        village_selectors.villages_with_income(year=run.year)
        .annotate(**figures)
        .annotate(**{f"r_{name}": value for name, value in columns.items()})
        # No ORDER BY: every read orders the rows itself, and sorting them here spilled to disk.
        .order_by()
        .values(*[f"r_{name}" for name in columns])
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(AcceptanceVillageResult._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)


def _figures(*, lines: dict[str, dict[str, Decimal]] | None = None, city: UnitTargets | None = None) -> dict:
    """The aggregates of a unit over its village rows. The counts against the targets' lines use
    each county's lines (`lines`: {line name: {county code: line}}) or, for the city, `city`'s.
    A row's figures are NULL unless its report is approved (a check constraint), so sums, averages
    and counts over them count approved reports only, as the `--json` document defines."""

    def at_least(field: str, line_name: str) -> Q:
        if city is not None:
            return Q(**{f"{field}__gte": getattr(city, line_name)})
        return _lines(field, "gte", lines[line_name])

    return {
        "villages": Count("id"),
        "approved": Count("id", filter=Q(approved=True)),
        "draft": Count("id", filter=Q(report_status=IncomeStatus.DRAFT)),
        "submitted": Count("id", filter=Q(report_status=IncomeStatus.SUBMITTED)),
        "sum_total": Sum("total_income"),
        "avg_total": Avg("total_income"),
        "sum_operating": Sum("operating_income"),
        "previous_avg_total": Avg("previous_total_income"),
        "tier_middle": Count(
            "id",
            filter=Q(
                operating_income__gte=village_selectors.TIER_MIDDLE_FROM,
                operating_income__lt=village_selectors.TIER_STRONG_FROM,
            ),
        ),
        "tier_strong": Count("id", filter=Q(operating_income__gte=village_selectors.TIER_STRONG_FROM)),
        "tier_million": Count("id", filter=Q(operating_income__gte=village_selectors.TIER_MILLION_FROM)),
        **{key: Count("id", filter=at_least(*MEASURES[name])) for key, name in _COUNTS.items()},
    }


def _unit(code: str, name: str, row: dict) -> dict:
    unit = {"code": code, "name": name, **row}
    for key in ("avg_total", "previous_avg_total"):
        # As the dashboards round an average (villages.selectors.income_unit_stats).
        if unit[key] is not None:
            unit[key] = Decimal(unit[key]).quantize(CENT_PLACES)
    unit["tier_weak"] = unit["villages"] - unit["tier_middle"] - unit["tier_strong"]
    return unit


def _no_villages(code: str, name: str) -> dict:
    counts = dict.fromkeys(("villages", "approved", "draft", "submitted", "tier_middle", "tier_strong"), 0)
    counts.update(dict.fromkeys(("tier_million", *_COUNTS), 0))
    sums = dict.fromkeys(("sum_total", "avg_total", "sum_operating", "previous_avg_total"))
    return _unit(code, name, {**counts, **sums})


def _unit_figures(
    run: AcceptanceRun, city_targets: UnitTargets, county_targets: dict[str, UnitTargets]
) -> dict[str, dict]:
    """Each county's figures (one grouped aggregate) and the city's (one aggregate) over the run's
    village rows."""
    rows = AcceptanceVillageResult.objects.filter(run=run)
    lines = {
        line_name: {code: getattr(t, line_name) for code, t in county_targets.items()}
        for _, line_name in MEASURES.values()
    }
    stats = {CITY_CODE: _unit(CITY_CODE, city_name(), rows.aggregate(**_figures(city=city_targets)))}
    grouped = rows.values("county_code", "county_name").annotate(**_figures(lines=lines)).order_by("county_code")
    for row in grouped:
        code, name = row.pop("county_code"), row.pop("county_name")
        stats[code] = _unit(code, name, row)
    return stats


def _below_clearing(run: AcceptanceRun, city_targets: UnitTargets) -> dict[str, list[str]]:
    """Codes of the villages below the clearing line, per county (its line) and for the city (its
    line), in one read of the run's rows."""
    city_below = Q(approved=False) | Q(total_income__lt=city_targets.clearing_threshold)
    rows = (
        AcceptanceVillageResult.objects.filter(run=run)
        .filter(Q(below_clearing=True) | city_below)
        .annotate(below_city=ExpressionWrapper(city_below, output_field=BooleanField()))
        .order_by("village_code")
        .values_list("county_code", "village_code", "below_clearing", "below_city")
    )
    below: dict[str, list[str]] = defaultdict(list)
    below[CITY_CODE] = []
    for county_code, village_code, below_county, below_city in rows:
        if below_county:
            below[county_code].append(village_code)
        if below_city:
            below[CITY_CODE].append(village_code)
    return dict(below)


def _closest_below(
    run: AcceptanceRun, city_targets: UnitTargets, county_targets: dict[str, UnitTargets]
) -> dict[str, dict[str, list[dict]]]:
    """Per unit and target, the villages just under its line (highest figure first, then by code):
    the ones a little help would carry over.

    One query. A unit's villages ranked by a measure (highest first, no figure last) are those at or
    over a line, then those under it: a village's rank under the line is its rank minus the number
    at or over it. So each measure is sorted once per county (and once for the city), whatever the
    number of targets, and only the candidates (each unit's first CLOSEST_LIMIT under each line)
    leave the database; Python orders them per unit and target. Where every county's line is the
    city's (the usual plan), the city's first villages under it are among its counties' (a village
    with fewer than CLOSEST_LIMIT above it in the city has fewer in its county): the city needs no
    ranking of its own."""
    rows = AcceptanceVillageResult.objects.filter(run=run)
    ranks: dict[str, object] = {}
    keep = Q()
    county_lines = {
        key: {code: getattr(t, line_name) for code, t in county_targets.items()}
        for key, (_, line_name) in MEASURES.items()
    }
    city_ranked = {
        key
        for key, (_, line_name) in MEASURES.items()
        if set(county_lines[key].values()) != {getattr(city_targets, line_name)}
    }
    for key, (measure, line_name) in MEASURES.items():
        order = [F(measure).desc(nulls_last=True), F("village_code").asc()]
        units = [("county", [F("county_code")], _lines(measure, "gte", county_lines[key]))]
        if key in city_ranked:
            units.append(("city", [], Q(**{f"{measure}__gte": getattr(city_targets, line_name)})))
        for unit, partition, at_or_over in units:
            # One ranking per measure and unit, shared by the targets measured alike.
            ranks.setdefault(f"{measure}_{unit}", Window(RowNumber(), partition_by=partition, order_by=order))
            over = Window(Count("id", filter=at_or_over), partition_by=partition)
            ranks[f"{key}_{unit}"] = ExpressionWrapper(F(f"{measure}_{unit}") - over, output_field=IntegerField())
            # Under the line: a figure, and a rank past the villages at or over it.
            keep |= Q(**{f"{key}_{unit}__gt": 0, f"{key}_{unit}__lte": CLOSEST_LIMIT, f"{measure}__isnull": False})
    candidates = rows.annotate(**ranks).filter(keep).values("pk")
    found = list(
        rows.filter(pk__in=candidates).values(
            "county_code", "village_code", "village_name", "township_name", "total_income", "operating_income"
        )
    )
    result: dict[str, dict[str, list[dict]]] = defaultdict(lambda: {key: [] for key in TARGET_KEYS})
    result[CITY_CODE]  # the city's lists exist even when empty
    for key, (measure, line_name) in MEASURES.items():
        city_line = getattr(city_targets, line_name)
        under: dict[str, list[tuple[dict, Decimal]]] = defaultdict(list)
        for row in found:
            value = row[measure]
            if value is None:
                continue
            county_line = getattr(county_targets[row["county_code"]], line_name)
            if value < county_line:
                under[row["county_code"]].append((row, county_line))
            if value < city_line:
                under[CITY_CODE].append((row, city_line))
        for code, entries in under.items():
            entries.sort(key=lambda pair: (-pair[0][measure], pair[0]["village_code"]))
            result[code][key] = [
                {
                    "code": row["village_code"],
                    "name": row["village_name"],
                    "township": row["township_name"],
                    "value": money(row[measure]),
                    "gap": money(line - row[measure]),
                }
                for row, line in entries[:CLOSEST_LIMIT]
            ]
    return dict(result)


def acceptance_preview(*, user, year: int, data: dict, counties: dict[str, dict] | None = None) -> tuple[dict, dict]:
    """测算: what the acceptance of `year` would give with the plan changed by `data` (plan fields)
    and `counties` ({county code: {field: value}}), e.g. another target or budget.

    The very computation of a run (`_compute`) on a run row with the changed plan's snapshot, inside
    a transaction that is then rolled back: nothing is saved, no version number is used, and the
    official result stays the acceptance run's. Returns (results, details) as a run stores them.
    """
    if not scope_for(user).sees_city:
        raise PermissionDenied("测算仅供市级部门使用。")
    with transaction.atomic():
        plan = TargetPlan.objects.select_for_update().filter(year=year).first()
        if plan is None:
            raise ValidationError(f"尚未设定 {year} 年度目标任务,请先设定目标。")
        for field, value in data.items():
            if field in PLAN_FIELDS:
                setattr(plan, field, value)
        plan.full_clean()
        plan.save()
        errors = []
        targets = {t.county.code: t for t in plan.county_targets.select_related("county", "plan")}
        for code, values in (counties or {}).items():
            target = targets.get(code)
            if target is None:
                raise ValidationError(f"区划代码 {code} 不是{city_name()}的县市区。")
            for field, value in values.items():
                if field in COUNTY_FIELDS:
                    setattr(target, field, value)
            try:
                target.full_clean()
            except ValidationError as exc:
                errors.append(f"{target.county.name}:{';'.join(exc.messages)}")
                continue
            target.save()
        if errors:
            raise ValidationError(errors)
        version = (AcceptanceRun.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1
        run = AcceptanceRun(year=year, version=version, plan=plan, started_by=user, plan_snapshot=plan_snapshot(plan))
        run.save()
        results, details = _compute(run)
        transaction.set_rollback(True)
    return results, details


# --- the joint sign-off ------------------------------------------------------------------------


@transaction.atomic
def acceptance_sign(
    *, run: AcceptanceRun, user, comment: str = "", reward_total: Decimal | None = None
) -> AcceptanceSignoff:
    """One department confirms a finished run; the third confirmation closes the year.

    The finance bureau confirms the reward amounts by stating the total it checked.
    """
    scope = scope_for(user)
    run = AcceptanceRun.objects.select_for_update().get(pk=run.pk)
    latest = AcceptanceRun.objects.filter(year=run.year, status=RunStatus.DONE).order_by("-version").first()
    refusal = sign_refusal(
        role=scope.signoff_role,
        signoff_roles=SIGNOFF_ROLES,
        run_done=run.status == RunStatus.DONE,
        is_latest=latest is not None and latest.pk == run.pk,
        signed_roles=set(AcceptanceSignoff.objects.filter(run=run).values_list("role", flat=True)),
    )
    if refusal == "role":
        raise PermissionDenied(SIGN_REFUSALS[refusal])
    if refusal == "not_latest":
        raise ValidationError(f"已有更新的验收结果({latest}),请签署最新版本。")
    if refusal == "signed":
        raise ValidationError(f"{Role(scope.signoff_role).label}已签署{run}。")
    if refusal:
        raise ValidationError(SIGN_REFUSALS[refusal])
    signoff = AcceptanceSignoff(run=run, role=scope.signoff_role, user=user, comment=comment.strip())
    if scope.signoff_role == Role.FINANCE_BUREAU:
        expected = Decimal(run.results["rewards"]["total"])
        if reward_total is None:
            raise ValidationError({"reward_total": "请填写核对后的奖补总额。"})
        if Decimal(reward_total) != expected:
            raise ValidationError({"reward_total": f"确认的奖补总额与测算结果({expected:,.2f} 元)不一致。"})
        signoff.confirmed_reward_total = expected
    signoff.full_clean()
    signoff._change_reason = "签署联合验收"
    signoff.save()
    signed = set(AcceptanceSignoff.objects.filter(run=run).values_list("role", flat=True))
    if signed >= {r.value for r in SIGNOFF_ROLES}:
        village_services.year_close(
            year=run.year, user=user, reason=f"{run}经市委组织部、市农业农村局、市财政局联合验收确认"
        )
    return signoff


@transaction.atomic
def acceptance_year_unlock(*, year: int, user, reason: str) -> YearUnlock:
    """An administrator reopens a closed year (villages.services.year_unlock checks the role and the
    reason); the unlock is recorded here too, for the unlock page."""
    village_services.year_unlock(year=year, user=user, reason=reason)
    record = YearUnlock(year=year, unlocked_by=user, reason=reason.strip())
    record._change_reason = "解锁年度"
    record.save()
    return record
