"""Demo divisions and accounts (password demo12345) for `manage.py seed_demo`."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from loudi_portal import clock

from .models import County, IncomeReport, IncomeStatus, Official, PeriodState, ReportingPeriod, Role, Township, Village
from .services import divisions_load, reporting_period_set, system_actor

DEMO_PASSWORD = "demo12345"

# Demo people get names like the officials they stand for (history and sign-offs show people, not
# logins); the same account always gets the same name.
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范廖石贺邹熊"
GIVEN_NAMES = (
    "建国 志强 丽华 海燕 伟 芳 军 敏 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 文 辉 红梅 国庆 爱民 小兵 春花 卫东 晓燕"
    " 振华 雪梅 德明 玉兰 永红 建华 立新 秋菊 长青 跃进 湘云 湘平 楚雄 资江 梅香 益民"
).split()


def demo_name(index: int) -> str:
    """The index-th demo account's name: 89 townships and 5 counties stay distinct."""
    return SURNAMES[index % len(SURNAMES)] + GIVEN_NAMES[(index * 7 + index // len(SURNAMES)) % len(GIVEN_NAMES)]


@transaction.atomic
def seed_accounts() -> int:
    """admin, city, agri, finance, county-<code>, town-<code>, each with a person's name. Existing
    accounts keep their password and role; one still named after its office gets a person's name."""
    User = get_user_model()
    # One hash for every demo account: hashing ~100 passwords one by one takes half a minute.
    password = make_password(DEMO_PASSWORD)
    wanted: list[tuple[str, str, dict, dict]] = [
        ("admin", "系统管理员", {"role": Role.ADMIN}, {"is_staff": True, "is_superuser": True}),
        ("city", "市委组织部", {"role": Role.CITY_ORG}, {}),
        ("agri", "市农业农村局", {"role": Role.AGRI_BUREAU}, {}),
        ("finance", "市财政局", {"role": Role.FINANCE_BUREAU}, {}),
    ]
    for county in County.objects.all():
        wanted.append(
            (f"county-{county.code}", f"{county.name}审核员", {"role": Role.COUNTY_REVIEWER, "county": county}, {})
        )
    for township in Township.objects.select_related("county"):
        wanted.append(
            (f"town-{township.code}", f"{township.name}填报员", {"role": Role.TOWNSHIP_CLERK, "township": township}, {})
        )
    existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    created = 0
    for index, (username, office, official, flags) in enumerate(wanted):
        name = demo_name(index)
        if username in existing:
            user = existing[username]
            if user.first_name in ("", office):  # seeded before accounts had names
                user.first_name = name
                user.save(update_fields=["first_name"])
            continue
        user = User.objects.create(username=username, first_name=name, password=password, **flags)
        Official.objects.create(user=user, **official)
        created += 1
    return created


def seed(*, stdout) -> str:
    divisions = divisions_load()
    accounts = seed_accounts()
    incomes = seed_incomes()
    income_text = "、".join(f"{year} 年 {n} 份" for year, n in incomes.items()) or "已存在,未改动"
    period = seed_period()
    return f"区划:{divisions};新建账号 {accounts} 个;收入报表:{income_text};{period}"


# The demo's year being filled in: open from 30 days ago to 30 days from the day the demo is seeded,
# so the demo always has a year to fill in. 2022–2024 have no period: their data stays as it is.
DEMO_OPEN_YEAR = 2025


def seed_period(*, today=None) -> str:
    """Open DEMO_OPEN_YEAR around today; a period still open is left as it is, a lapsed one moved on."""
    today = today or clock.today()
    period = ReportingPeriod.objects.filter(year=DEMO_OPEN_YEAR).first()
    if period is not None and period.state_on(today, closed=False) == PeriodState.OPEN:
        return f"{DEMO_OPEN_YEAR} 年度填报期已开放,未改动"
    reporting_period_set(
        user=system_actor(),
        year=DEMO_OPEN_YEAR,
        opens_on=today - timedelta(days=30),
        entry_deadline=today + timedelta(days=30),
        review_deadline=today + timedelta(days=45),
        reason="演示数据:填报期顺延至今日之后",
    )
    return f"{DEMO_OPEN_YEAR} 年度填报期:填报截止 {today + timedelta(days=30):%Y-%m-%d}"


# --- Income demo data ----------------------------------------------------------------------------
#
# Shaped to the seed article and to the demo 2024 plan:
# 2023: every village's 总收入 ≥ 50,000, city average 92,200, +59.5% on 2022; 2022 and 2023 approved.
# 2024 (发包及上交收入 = 0): 娄星区, 双峰县, 冷水江市 meet every target; 新化县 has reports still in
# draft or submitted and under 60% of villages with 经营性收入 ≥ 10万; 涟源市 is all approved but
# has only 3 villages ≥ 100万. Amounts are whole cents drawn from a seeded generator.

DEMO_YEARS = (2022, 2023, 2024)
AVG_2023 = Decimal("92200")
GROWTH_2023 = Decimal("1.595")
CLEARING_LINE = Decimal("50000")
# county: (share of villages with 经营性收入 ≥ 10万, villages ≥ 50万, villages ≥ 100万) in 2024.
DEMO_2024_SHAPE = {
    "431302": (Decimal("0.68"), 15, 3),  # 娄星区: passes (13 / 2)
    "431321": (Decimal("0.66"), 28, 6),  # 双峰县: passes (25 / 5)
    "431322": (Decimal("0.56"), 33, 7),  # 新化县: fails on clearing and share (statuses below)
    "431381": (Decimal("0.70"), 9, 2),  # 冷水江市: passes (8 / 2)
    "431382": (Decimal("0.64"), 26, 3),  # 涟源市: fails count_1m (needs 5)
}
MIXED_STATUS_COUNTY = "431322"  # 新化县: a realistic mix of 2024 statuses
RETURN_REASONS = (
    "补助收入与乡镇财政拨付记录不符,请核实后重新提交。",
    "经营收入缺少合同和入账凭证说明,请补充后重新提交。",
    "其他收入金额偏大,请在备注中说明来源。",
)
JUMP_NOTES = (
    "新建光伏电站并网发电,集体经营收入大幅增加。",
    "闲置村小学盘活为研学基地,新增租金和服务收入。",
    "村集体入股农业合作社,当年取得分红。",
    "上年一次性补助较多,本年回落。",
)


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("0.01")) * 100)


def _yuan(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _split(rng: random.Random, total: int, weights: dict[str, tuple[float, float]]) -> dict[str, int]:
    """Split `total` cents over the fields by random weights; the remainder goes to the first field."""
    drawn = {name: rng.uniform(*bounds) for name, bounds in weights.items()}
    scale = sum(drawn.values())
    parts = {name: int(total * w / scale) for name, w in drawn.items()}
    first = next(iter(parts))
    parts[first] += total - sum(parts.values())
    return parts


def _plan_2024(rng: random.Random, villages_by_county: dict[str, list]) -> dict[int, dict]:
    """2024 figures and statuses per village id."""
    plan = {}
    for county_code, villages in villages_by_county.items():
        # Another prefecture's counties get the same shape in proportion: 65%, 5%, 1% of villages.
        share, n_500k, n_1m = DEMO_2024_SHAPE.get(county_code) or (
            Decimal("0.65"),
            round(len(villages) * 0.05),
            round(len(villages) * 0.01),
        )
        order = villages[:]
        rng.shuffle(order)
        n_100k = int((share * len(order)).to_integral_value())
        for rank, village in enumerate(order):
            if rank < n_1m:
                operating = rng.randint(100_000_000, 260_000_000)
            elif rank < n_500k:
                operating = rng.randint(50_000_000, 98_000_000)
            elif rank < n_100k:
                operating = 10_000_000 + min(38_000_000, int(rng.expovariate(1 / 9_000_000)))
            else:
                operating = rng.randint(3_500_000, 9_900_000)
            subsidy, other = rng.randint(800_000, 4_000_000), rng.randint(50_000, 900_000)
            if operating + subsidy + other < 5_200_000:  # keep every 2024 village above the clearing line
                subsidy += 5_200_000 - (operating + subsidy + other) + rng.randint(0, 600_000)
            investment = int(operating * rng.uniform(0.05, 0.35))
            plan[village.pk] = {
                "operating_revenue": operating - investment,
                "contracting_revenue": 0,
                "investment_income": investment,
                "subsidy_income": subsidy,
                "other_income": other,
                "status": IncomeStatus.APPROVED,
                "strong": rank < n_500k,
            }
        if county_code == MIXED_STATUS_COUNTY:
            # Villages ≥ 50万 stay approved (the counts pass); the others get a mix of statuses.
            rest = [v for v in order[n_500k:]]
            rng.shuffle(rest)
            n_submitted, n_draft = len(rest) * 13 // 100, len(rest) * 9 // 100
            for i, village in enumerate(rest[: n_submitted + n_draft]):
                entry = plan[village.pk]
                entry["status"] = IncomeStatus.SUBMITTED if i < n_submitted else IncomeStatus.DRAFT
                if i >= n_submitted and i % 2 == 0:
                    entry["return_reason"] = RETURN_REASONS[i % len(RETURN_REASONS)]
    return plan


def _totals_before(rng: random.Random, later: dict[int, int], mean: Decimal, floor: Decimal | None) -> dict[int, int]:
    """A year's 总收入 (cents) from the next year's: shrunk by a random growth, then scaled to `mean`.

    With `floor`, every village stays at or above it (2023: all villages above 5万).
    """
    raw = {pk: total / rng.uniform(1.25, 2.1) for pk, total in later.items()}
    n = len(raw)
    if floor is None:
        factor = float(mean) * 100 * n / sum(raw.values())
        return {pk: int(round(value * factor)) for pk, value in raw.items()}
    base = _cents(floor)
    excess = {pk: max(value - 4_500_000, 100_000) for pk, value in raw.items()}
    factor = (float(mean) * 100 - base) * n / sum(excess.values())
    return {pk: base + int(round(value * factor)) for pk, value in excess.items()}


OLD_WEIGHTS = {
    "operating_revenue": (0.15, 0.40),
    "contracting_revenue": (0.15, 0.35),
    "investment_income": (0.03, 0.15),
    "subsidy_income": (0.15, 0.35),
    "other_income": (0.02, 0.08),
}


def _demo_reports(villages: list) -> dict[int, list[IncomeReport]]:
    """All three years' reports, generated whole every time so that the figures never depend on
    which years already exist (idempotent and deterministic)."""
    rng = random.Random(20240531)
    by_county: dict[str, list] = {}
    for village in villages:
        by_county.setdefault(village.township.county.code, []).append(village)
    plan = _plan_2024(rng, by_county)
    totals = {2024: {pk: sum(v for k, v in p.items() if k.endswith(("_revenue", "_income"))) for pk, p in plan.items()}}
    totals[2023] = _totals_before(rng, totals[2024], AVG_2023, CLEARING_LINE)
    totals[2022] = _totals_before(rng, totals[2023], AVG_2023 / GROWTH_2023, None)

    users = {u.username: u for u in get_user_model().objects.filter(username__regex=r"^(town|county)-\d+$")}
    tz = timezone.get_current_timezone()
    reports: dict[int, list[IncomeReport]] = {year: [] for year in DEMO_YEARS}
    for village in villages:
        clerk = users.get(f"town-{village.township.code}")
        reviewer = users.get(f"county-{village.township.county.code}")
        for year in DEMO_YEARS:
            if year == 2024:
                entry = plan[village.pk]
                parts = {k: v for k, v in entry.items() if k.endswith(("_revenue", "_income"))}
                status = entry["status"]
            else:
                parts = _split(rng, totals[year][village.pk], OLD_WEIGHTS)
                entry, status = {}, IncomeStatus.APPROVED
            report = IncomeReport(village=village, year=year, status=status, updated_by=clerk)
            for name, cents in parts.items():
                setattr(report, name, _yuan(cents))
            previous = totals.get(year - 1, {}).get(village.pk)
            total = totals[year][village.pk]
            if previous and (total > previous * 3 or total * 3 < previous):
                report.note = JUMP_NOTES[rng.randrange(len(JUMP_NOTES))]
            submitted = datetime(year + 1, 1, 10, 9, tzinfo=tz) + timedelta(
                days=rng.randint(0, 30), minutes=rng.randint(0, 480)
            )
            steps, when = ["演示数据:录入"], submitted
            if status != IncomeStatus.DRAFT or entry.get("return_reason"):
                report.submitted_at, report.submitted_by = submitted, clerk
                steps.append("提交")
            if status == IncomeStatus.APPROVED:
                report.approved_at = when = submitted + timedelta(days=rng.randint(3, 25), hours=rng.randint(0, 6))
                report.approved_by = reviewer
                steps.append("审核通过")
            if entry.get("return_reason"):
                report.returned_at = when = submitted + timedelta(days=rng.randint(2, 10))
                report.returned_by, report.return_reason = reviewer, entry["return_reason"]
                steps.append(f"退回:{entry['return_reason']}")
            report.version = len(steps)
            report._history_date = when
            report._history_user = report.approved_by or report.returned_by or clerk
            report._change_reason = ",".join(steps)
            reports[year].append(report)
    return reports


@transaction.atomic
def seed_incomes() -> dict[int, int]:
    """2022–2024 income for every village; a year that already has reports is left alone."""
    existing = set(IncomeReport.objects.filter(year__in=DEMO_YEARS).values_list("year", flat=True).distinct())
    if existing.issuperset(DEMO_YEARS):
        return {}
    villages = list(Village.objects.select_related("township__county").order_by("code"))
    created = {}
    for year, reports in _demo_reports(villages).items():
        if year in existing:
            continue
        bulk_create_with_history(reports, IncomeReport, batch_size=500)
        created[year] = len(reports)
    return created
