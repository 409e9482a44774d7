"""Reads of targets and acceptance runs, narrowed to the user's scope.

City-wide roles see everything; a county reviewer sees the plan's city targets and the run's
figures of his own county only (not the city's, nor another county's); township clerks see nothing
of the acceptance.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from villages import selectors as village_selectors
from villages.scope import Scope
from villages.selectors import page_year

from .models import (
    SIGNOFF_ROLES,
    AcceptanceRun,
    AcceptanceSignoff,
    AcceptanceVillageResult,
    CountyTarget,
    RunStatus,
    TargetPlan,
    YearUnlock,
)
from .rules import CITY_CODE, TARGET_KEYS, TARGET_LABELS, may_sign


def can_view(scope: Scope) -> bool:
    """The acceptance pages are for the city's roles and the county reviewers."""
    return scope.oversees


def visible_unit_codes(scope: Scope) -> set[str]:
    """The units of a run's results the user may see: the city and every county, or his county."""
    if scope.sees_city:
        return {CITY_CODE, *scope.counties().values_list("code", flat=True)}
    if scope.sees_one_county:
        return set(scope.counties().values_list("code", flat=True))
    return set()


# --- plans -------------------------------------------------------------------------------------


def target_plan_for(*, year: int) -> TargetPlan | None:
    """The year's plan with its county targets (prefetched), or None. Dashboards compare to it."""
    return (
        TargetPlan.objects.filter(year=year)
        .prefetch_related(Prefetch("county_targets", queryset=CountyTarget.objects.select_related("county")))
        .first()
    )


def plan_list(*, scope: Scope) -> QuerySet[TargetPlan]:
    if not can_view(scope):
        return TargetPlan.objects.none()
    return TargetPlan.objects.select_related("updated_by").annotate(run_count=Count("runs")).order_by("-year")


def plan_county_targets(*, plan: TargetPlan, scope: Scope) -> list[dict]:
    """Each visible county's targets with the values in force (its own or the city's)."""
    targets = CountyTarget.objects.filter(plan=plan, county__in=scope.counties()).select_related("county", "plan")
    rows = []
    for target in targets.order_by("county__code"):
        rows.append(
            {
                "target": target,
                "county": target.county,
                "effective": {f: target.effective(f) for f in CountyTarget.INHERITED},
                "inherited": {f: getattr(target, f) is None for f in CountyTarget.INHERITED},
            }
        )
    return rows


def county_targets_for_edit(*, plan: TargetPlan) -> QuerySet[CountyTarget]:
    """The five counties' rows of the plan's edit formset (city roles only edit)."""
    return CountyTarget.objects.filter(plan=plan).select_related("county", "plan").order_by("county__code")


def plan_history(*, plan: TargetPlan, limit: int = 50) -> list[dict]:
    """The plan's and its county targets' changes, newest first, with the fields each changed.

    Two queries: the histories are read once and compared pairwise in memory.
    """
    skip = {"id", "year", "created_at", "updated_at"}
    plan_fields = [f.name for f in TargetPlan._meta.fields if not f.is_relation and f.name not in skip]
    county_fields = [f.name for f in CountyTarget._meta.fields if not f.is_relation and f.name not in skip]
    plan_records = list(plan.history.select_related("history_user").order_by("history_date"))
    county_records = list(
        CountyTarget.history.filter(plan_id=plan.pk)
        .select_related("history_user", "county")
        .order_by("county_id", "history_date")
    )
    entries = []
    for model, records, fields in (
        (TargetPlan, plan_records, plan_fields),
        (CountyTarget, county_records, county_fields),
    ):
        previous_by_object = {}
        for record in records:
            previous = previous_by_object.get(record.id)
            previous_by_object[record.id] = record
            changes = []
            if previous is not None:
                for name in fields:
                    old, new = getattr(previous, name), getattr(record, name)
                    if old != new:
                        changes.append({"field": model._meta.get_field(name).verbose_name, "old": old, "new": new})
                if not changes:
                    continue
            entries.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "unit": "市级目标" if model is TargetPlan else record.county.name,
                    "kind": record.get_history_type_display(),
                    "reason": record.history_change_reason or "",
                    "changes": changes,
                }
            )
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries[:limit]


# --- runs --------------------------------------------------------------------------------------


def run_list(*, scope: Scope, documents: bool = True) -> QuerySet[AcceptanceRun]:
    """The runs in view; `documents=False` leaves out their results, details and plan snapshot
    (megabytes of JSON per run at national size that a list of runs never shows)."""
    if not can_view(scope):
        return AcceptanceRun.objects.none()
    runs = (
        AcceptanceRun.objects.select_related("started_by__official__township", "started_by__official__county")
        .annotate(signoff_count=Count("signoffs"))
        .order_by("-year", "-version")
    )
    return runs if documents else runs.defer("results", "details", "plan_snapshot")


def latest_done_run(*, year: int) -> AcceptanceRun | None:
    return AcceptanceRun.objects.filter(year=year, status=RunStatus.DONE).order_by("-version").first()


def run_by_version(*, year: int, version: int) -> AcceptanceRun | None:
    return AcceptanceRun.objects.filter(year=year, version=version).first()


def run_results_visible(*, run: AcceptanceRun, scope: Scope) -> dict | None:
    """The run's `--json` document as the user may see it: whole for the city, a county reviewer's
    own county only (no city unit, no reward totals)."""
    if not run.results:
        return None
    if scope.sees_city:
        return run.results
    codes = visible_unit_codes(scope)
    return {
        "year": run.results["year"],
        "run": run.results["run"],
        "counties": [u for u in run.results["counties"] if u["code"] in codes],
    }


def run_units(*, run: AcceptanceRun, scope: Scope) -> list[dict]:
    """The run's units the user may see (city first), each its `--json` unit with the page's extras:
    `details` (counts by status, tiers, targets, closest villages) and `target_rows` for a table."""
    if not run.results:
        return []
    codes = visible_unit_codes(scope)
    units = [run.results["city"], *run.results["counties"]]
    rows = []
    for unit in units:
        if unit["code"] not in codes:
            continue
        details = (run.details or {}).get("units", {}).get(unit["code"], {})
        lines = details.get("targets", {})
        target_rows = []
        for key in TARGET_KEYS:
            target = unit["targets"][key]
            target_rows.append(
                {
                    "key": key,
                    "label": TARGET_LABELS[key],
                    "line": {
                        "clearing": lines.get("clearing_threshold"),
                        "share_100k": lines.get("share_threshold"),
                        "count_500k": lines.get("count_500k_threshold"),
                        "count_1m": lines.get("count_1m_threshold"),
                    }[key],
                    **target,
                    "closest": details.get("closest", {}).get(key, []),
                }
            )
        rows.append({**unit, "is_city": unit["code"] == CITY_CODE, "details": details, "target_rows": target_rows})
    return rows


def run_village_results(*, run: AcceptanceRun, scope: Scope) -> QuerySet[AcceptanceVillageResult]:
    return scope.filter(AcceptanceVillageResult.objects.filter(run=run), village="village").order_by("village_code")


def run_below_clearing(*, run: AcceptanceRun, scope: Scope) -> QuerySet[AcceptanceVillageResult]:
    """Villages below their county's clearing line (薄弱村 and villages without an approved report)."""
    return run_village_results(run=run, scope=scope).filter(below_clearing=True)


def run_signoffs(*, run: AcceptanceRun) -> list[dict]:
    """The three departments in order, each with its signature or None."""
    signed = {s.role: s for s in AcceptanceSignoff.objects.filter(run=run).select_related("user")}
    return [{"role": role.value, "label": role.label, "signoff": signed.get(role.value)} for role in SIGNOFF_ROLES]


def run_signoff_state(*, run: AcceptanceRun, scope: Scope) -> dict:
    """What the run page shows of the joint sign-off: each department's signature, whether all have
    signed, and whether this user may sign now (incentives.rules.may_sign, which acceptance_sign
    enforces)."""
    signoffs = run_signoffs(run=run)
    latest = latest_done_run(year=run.year)
    is_latest = latest is not None and latest.pk == run.pk
    my_role = scope.signoff_role if scope.signoff_role in SIGNOFF_ROLES else None
    signed_count = sum(1 for s in signoffs if s["signoff"])
    return {
        "signoffs": signoffs,
        "signed_count": signed_count,
        "required_count": len(SIGNOFF_ROLES),
        "fully_signed": signed_count == len(SIGNOFF_ROLES),
        "latest": latest,
        "is_latest": is_latest,
        "my_role": my_role,
        "can_sign": may_sign(
            role=scope.signoff_role,
            signoff_roles=SIGNOFF_ROLES,
            run_done=run.status == RunStatus.DONE,
            is_latest=is_latest,
            signed_roles={s["role"] for s in signoffs if s["signoff"]},
        ),
    }


def run_reward_rows(*, run: AcceptanceRun, scope: Scope) -> list[dict]:
    """奖补测算: the visible counties with their award and matching amounts."""
    if not run.results:
        return []
    codes = visible_unit_codes(scope)
    return [
        {"code": u["code"], "name": u["name"], "passed": u["passed"], "reward": u["reward"], "matching": u["matching"]}
        for u in run.results["counties"]
        if u["code"] in codes
    ]


def year_unlocks(*, limit: int = 50) -> list[YearUnlock]:
    return list(YearUnlock.objects.select_related("unlocked_by")[:limit])


def signoff_consequences(*, run: AcceptanceRun, scope: Scope, signed_count: int) -> str:
    """What a signature means, said before it is given: the reports the run leaves out (it counts
    approved reports only) and whether this signature closes the year."""
    stats = village_selectors.income_unit_stats(year=run.year, by="city", scope=scope)
    unit = next(iter(stats.values()), {"submitted": 0, "draft": 0})
    if unit["submitted"] or unit["draft"]:
        left_out = (
            f"仍有 {unit['submitted']} 份已提交待审核、{unit['draft']} 份草稿未纳入本次验收(验收只计已审核的报告)。"
        )
    else:
        left_out = f"{run.year} 年没有待审核或草稿状态的收入报告。"
    if signed_count + 1 >= len(SIGNOFF_ROLES):
        closing = f"这是最后一个签署:签署后 {run.year} 年度关账,收入报告只读,签署不能撤回。"
    else:
        closing = f"签署不能撤回;三个部门全部签署后 {run.year} 年度关账。"
    return f"{left_out}\n{closing}"


def final_years() -> set[int]:
    """Years with a finished acceptance run: their figures are final enough to open dashboards on."""
    return set(AcceptanceRun.objects.filter(status=RunStatus.DONE).values_list("year", flat=True).distinct())


def results_page_year(*, request, choices=None) -> int:
    """The year a dashboard or acceptance page opens on (villages.selectors.page_year, "results"):
    the user's pick, remembered for the session, else the latest closed year or one with a finished run."""
    return page_year(
        session=request.session,
        kind="results",
        requested=request.GET.get("year"),
        choices=choices,
        final_years=final_years(),
    )
