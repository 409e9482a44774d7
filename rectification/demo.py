"""Demo data reproducing the seed's clean-up campaign (by the end of May 2024):

222 督查检查 and 121 暗访, a 自查自纠 campaign completed by 100% of villages, 8,147 problem clues in
six categories of which 7,634 are closed (93.7%), some open ones overdue, and 53 weak village
party organisations under rectification with their 六个一 plans.

Deterministic (a seeded Random), idempotent (rows are keyed by their codes and only missing ones
are inserted), and in bulk.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from loudi_portal import clock
from loudi_portal.clock import SHANGHAI
from villages.models import County, Village

from . import services
from .models import (
    ZERO,
    Clue,
    ClueCategory,
    ClueEvidence,
    ClueSource,
    ClueStatus,
    Inspection,
    InspectionKind,
    RectificationItem,
    SelfInspection,
    SelfInspectionCampaign,
    SelfInspectionStatus,
    WeakOrgStatus,
    WeakPartyOrganisation,
)

SEED = 20240531
YEAR = 2024
SUPERVISIONS, UNANNOUNCED = 222, 121
CLUES, CLOSED = 8147, 7634
WEAK_ORGS = 53
CAMPAIGN_NAME = "2024年农村集体“三资”突出问题自查自纠"
PERIOD_START, PERIOD_END = date(2024, 1, 8), date(2024, 5, 31)
EVIDENCE_NAME = "rectification/evidence/demo/整改佐证材料(演示).pdf"

SOURCE_WEIGHTS = [
    (ClueSource.SELF, 57),
    (ClueSource.SUPERVISION, 26),
    (ClueSource.UNANNOUNCED, 9),
    (ClueSource.PUBLIC, 5),
    (ClueSource.AUDIT, 3),
]
CATEGORY_WEIGHTS = [
    (ClueCategory.FINANCE, 30),
    (ClueCategory.CONTRACT, 22),
    (ClueCategory.ASSET_RESOURCE, 20),
    (ClueCategory.DEBT, 10),
    (ClueCategory.PROJECT, 10),
    (ClueCategory.LENDING, 8),
]
PROBLEMS = {
    ClueCategory.FINANCE: [
        ("白条入账 {n} 笔,票据不合规", "补齐合规票据,财务人员集中培训"),
        ("现金坐收坐支,未及时存入银行", "收支全部进入银行账户,建立现金日记账"),
        ("财务收支未按季度公开", "补充公开并建立公开台账"),
        ("村级账务未按规定记账,账实不符", "由镇农经站重新清理账目,账实核对一致"),
        ("超标准发放误工补贴", "超发部分全额追回,重新制定补贴标准"),
    ],
    ClueCategory.CONTRACT: [
        ("山林承包合同期限超过 20 年", "与承包方协商变更合同期限,报镇农经站备案"),
        ("鱼塘承包租金连续 {n} 年未收取", "依法催收欠缴租金,必要时提起诉讼"),
        ("发包合同未经村民代表会议表决", "补办民主程序,重新签订合同"),
        ("合同租金明显低于同类地块", "重新评估,经民主程序调整租金"),
        ("口头协议出租集体房屋,未签订书面合同", "补签书面合同并纳入合同管理平台"),
    ],
    ClueCategory.ASSET_RESOURCE: [
        ("闲置校舍未登记入账", "登记入账并制定盘活方案"),
        ("集体资源发包未公开竞价", "重新公开竞价发包"),
        ("集体资产被个人长期无偿占用", "收回资产或按市场价收取租金"),
        ("资源台账面积与实际不符", "重新丈量核实,更新资源台账"),
    ],
    ClueCategory.DEBT: [
        ("新增非生产性债务 {n} 万元", "制定化债计划,停止新增非生产性债务"),
        ("债务台账不清,债权债务未核实", "逐笔核实债权债务,建立台账"),
        ("长期应收款未清收", "落实清收责任人,限期清收"),
    ],
    ClueCategory.PROJECT: [
        ("村级工程项目未按规定招标", "补办手续,对相关责任人约谈"),
        ("工程项目结算未经审计即付款", "委托第三方审计,多付款项追回"),
        ("项目建成后未及时转为集体资产", "办理竣工决算并登记入账"),
    ],
    ClueCategory.LENDING: [
        ("违规出借集体资金给个人", "限期收回出借资金"),
        ("集体为企业借款提供担保", "解除担保关系"),
        ("集体资金存放在个人账户", "资金全部转入村集体对公账户"),
    ],
}
SUPERVISION_UNITS = [
    "市委组织部、市农业农村局联合督查组",
    "市纪委监委督查组",
    "{county}委组织部督查组",
    "{county}农业农村局督查组",
]
UNANNOUNCED_UNITS = ["市农业农村局暗访组", "市委组织部暗访组", "{county}纪委监委暗访组"]
FINDINGS = [
    "查阅村级账目、合同和资产台账,发现的问题已当场反馈乡镇并逐条登记为线索。",
    "随机走访农户和村干部,核对三资台账,发现的问题已逐条登记为线索。",
    "重点检查合同管理和资金往来,发现的问题已登记为线索,限期整改。",
]
WEAK_REASONS = [
    "村党组织班子软弱,书记长期不在岗,集体经济发展停滞。",
    "村级集体经济收入低于 5 万元,发展思路不清,群众意见较大。",
    "“三资”管理混乱,信访问题突出,班子凝聚力不强。",
    "党组织换届后班子不团结,重大事项未落实“四议两公开”。",
]
SIX_MEASURES = [
    "一名县级领导联点指导",
    "一名乡镇党政班子成员包村",
    "选派一名第一书记驻村",
    "一个县直单位结对帮扶",
    "制定一套整顿方案并逐项落实",
    "发展一个村级集体经济增收项目",
]
# A minimal valid PDF: the demo clues' evidence all point at this one stored file.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 760 Td (Rectification evidence - demo) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _allocate(total: int, weights: dict) -> dict:
    """Split `total` over keys in proportion to `weights` (largest remainder)."""
    whole = sum(weights.values())
    shares = {k: total * w / whole for k, w in weights.items()}
    result = {k: int(v) for k, v in shares.items()}
    for k in sorted(shares, key=lambda k: shares[k] - result[k], reverse=True)[: total - sum(result.values())]:
        result[k] += 1
    return result


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=SHANGHAI)


def _day(rng: random.Random, start: date = PERIOD_START, end: date = PERIOD_END) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _amount(rng: random.Random) -> Decimal:
    roll = rng.random()
    if roll < 0.18:
        return ZERO  # a problem of procedure, no money involved
    if roll < 0.68:
        return Decimal(rng.randint(5000, 200000)) / 10  # 500 to 20,000 yuan
    if roll < 0.95:
        return Decimal(rng.randint(2000, 10000) * 10)  # 20,000 to 100,000
    return Decimal(rng.randint(1000, 5000) * 100)  # 100,000 to 500,000


class _Context:
    def __init__(self):
        User = get_user_model()
        self.counties = list(County.objects.order_by("code"))
        self.villages = list(Village.objects.select_related("township__county").order_by("code"))
        self.by_county: dict[int, list[Village]] = {}
        for v in self.villages:
            self.by_county.setdefault(v.township.county_id, []).append(v)
        self.users = dict(User.objects.filter(username__regex=r"^(county|town)-\d+$").values_list("username", "pk"))

    def reviewer(self, village: Village) -> int | None:
        return self.users.get(f"county-{village.township.county.code}")

    def clerk(self, village: Village) -> int | None:
        return self.users.get(f"town-{village.township.code}")


def _seed_inspections(ctx: _Context, rng: random.Random) -> tuple[int, dict[str, Inspection]]:
    weights = {c.pk: len(ctx.by_county[c.pk]) for c in ctx.counties}
    plan = []
    for kind, total, prefix_units in (
        (InspectionKind.SUPERVISION, SUPERVISIONS, SUPERVISION_UNITS),
        (InspectionKind.UNANNOUNCED, UNANNOUNCED, UNANNOUNCED_UNITS),
    ):
        for county in ctx.counties:
            count = _allocate(total, weights)[county.pk]
            days = sorted(_day(rng) for _ in range(count))
            prefix = services.inspection_code_prefix(kind=kind, county_code=county.code, year=YEAR)
            for seq, day in enumerate(days, start=1):
                villages = ctx.by_county[county.pk]
                if kind == InspectionKind.SUPERVISION:
                    townships = sorted({v.township_id for v in rng.sample(villages, rng.randint(1, 3))})
                    covered = []
                else:
                    townships = []
                    covered = sorted(v.pk for v in rng.sample(villages, rng.randint(2, 4)))
                plan.append(
                    {
                        "code": f"{prefix}{seq:04d}",
                        "kind": kind,
                        "date": day,
                        "unit": rng.choice(prefix_units).format(county=county.name),
                        "county": county,
                        "townships": townships,
                        "villages": covered,
                        "findings": rng.choice(FINDINGS),
                        "created_at": _at(day, rng),
                    }
                )
    existing = set(Inspection.objects.filter(code__in=[p["code"] for p in plan]).values_list("code", flat=True))
    new = [p for p in plan if p["code"] not in existing]
    reviewer_of = {c.pk: ctx.users.get(f"county-{c.code}") for c in ctx.counties}
    created = Inspection.objects.bulk_create(
        [
            Inspection(
                code=p["code"],
                kind=p["kind"],
                date=p["date"],
                unit=p["unit"],
                county=p["county"],
                findings=p["findings"],
                created_at=p["created_at"],
                created_by_id=reviewer_of[p["county"].pk],
            )
            for p in new
        ],
        batch_size=500,
    )
    ids = dict(Inspection.objects.filter(code__in=[p["code"] for p in new]).values_list("code", "pk"))
    Inspection.townships.through.objects.bulk_create(
        [
            Inspection.townships.through(inspection_id=ids[p["code"]], township_id=t)
            for p in new
            for t in p["townships"]
        ],
        batch_size=1000,
    )
    Inspection.villages.through.objects.bulk_create(
        [Inspection.villages.through(inspection_id=ids[p["code"]], village_id=v) for p in new for v in p["villages"]],
        batch_size=1000,
    )
    # The plan (with coverage) is returned whole, so clues are drawn the same way on every run.
    by_code = {i.code: i for i in Inspection.objects.filter(code__in=[p["code"] for p in plan])}
    for p in plan:
        by_code[p["code"]].plan = p
    return len(created), by_code


def _seed_campaign(ctx: _Context, rng: random.Random) -> tuple[SelfInspectionCampaign, int]:
    campaign, _ = SelfInspectionCampaign.objects.get_or_create(
        name=CAMPAIGN_NAME,
        defaults={
            "year": YEAR,
            "started_on": date(2024, 1, 2),
            "deadline": date(2024, 3, 31),
            "description": "各村(社区)对照六大类问题全面自查,发现问题登记为问题线索,限期整改、对账销号。",
            "created_at": _at(date(2024, 1, 2), rng),
            "created_by_id": get_user_model().objects.filter(username="city").values_list("pk", flat=True).first(),
        },
    )
    done = set(SelfInspection.objects.filter(campaign=campaign).values_list("village_id", flat=True))
    records = []
    for village in ctx.villages:
        completed_at = _at(_day(rng, date(2024, 1, 15), date(2024, 3, 29)), rng)
        if village.pk in done:
            continue
        records.append(
            SelfInspection(
                campaign=campaign,
                village=village,
                status=SelfInspectionStatus.DONE,
                summary="已对照六大类问题完成自查,问题已登记为线索。",
                completed_at=completed_at,
                completed_by_id=ctx.clerk(village),
            )
        )
    SelfInspection.objects.bulk_create(records, batch_size=1000)
    return campaign, len(records)


def _seed_clues(ctx, rng, inspections: dict[str, Inspection], campaign) -> int:
    today = clock.today()
    by_kind = {
        ClueSource.SUPERVISION: [i for i in inspections.values() if i.kind == InspectionKind.SUPERVISION],
        ClueSource.UNANNOUNCED: [i for i in inspections.values() if i.kind == InspectionKind.UNANNOUNCED],
    }
    village_by_pk = {v.pk: v for v in ctx.villages}
    township_villages: dict[int, list[Village]] = {}
    for v in ctx.villages:
        township_villages.setdefault(v.township_id, []).append(v)

    closed_flags = [True] * CLOSED + [False] * (CLUES - CLOSED)
    rng.shuffle(closed_flags)
    plan = []
    for closed in closed_flags:
        source = _weighted(rng, SOURCE_WEIGHTS)
        inspection = None
        if source in by_kind:
            inspection = rng.choice(by_kind[source])
            p = inspection.plan
            pool = [village_by_pk[pk] for pk in p["villages"]] or [
                v for t in p["townships"] for v in township_villages[t]
            ]
            village = rng.choice(pool)
            found_on = inspection.date
        else:
            village = rng.choice(ctx.villages)
            found_on = (
                _day(rng, date(2024, 1, 15), date(2024, 5, 20))
                if source != ClueSource.SELF
                else _day(rng, date(2024, 1, 15), date(2024, 3, 29))
            )
        category = _weighted(rng, CATEGORY_WEIGHTS)
        problem, measure = rng.choice(PROBLEMS[category])
        amount = _amount(rng)
        plan.append((closed, source, inspection, village, found_on, category, problem, measure, amount))

    codes, rows = [], []
    seq: dict[str, int] = {}
    for closed, source, inspection, village, found_on, category, problem, measure, amount in plan:
        prefix = services.clue_code_prefix(county_code=village.township.county.code, year=found_on.year)
        seq[prefix] = seq.get(prefix, 0) + 1
        code = f"{prefix}{seq[prefix]:05d}"
        codes.append(code)
        reviewer, clerk = ctx.reviewer(village), ctx.clerk(village)
        created_by = clerk if source == ClueSource.SELF else reviewer
        clue = Clue(
            code=code,
            source=source,
            inspection=inspection,
            campaign=campaign if source == ClueSource.SELF else None,
            category=category,
            village=village,
            description=f"{village.name}:" + problem.format(n=rng.randint(2, 9)),
            amount_involved=amount,
            responsible_person=f"{village.name}党组织书记",
            found_on=found_on,
            created_at=_at(found_on, rng),
            created_by_id=created_by,
        )
        if closed:
            clue.deadline = found_on + timedelta(days=rng.choice([30, 45, 60, 90]))
            started = found_on + timedelta(days=rng.randint(1, 5))
            requested = min(started + timedelta(days=rng.randint(5, 40)), date(2024, 5, 29))
            closed_on = min(requested + timedelta(days=rng.randint(1, 10)), PERIOD_END)
            requested = min(requested, closed_on)
            started = min(started, requested)
            clue.status = ClueStatus.CLOSED
            clue.measures = measure
            clue.amount_recovered = (amount * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01"))
            clue.started_at, clue.started_by_id = _at(started, rng), clerk
            clue.requested_at, clue.requested_by_id = _at(requested, rng), clerk
            clue.closed_at, clue.closed_by_id = _at(closed_on, rng), reviewer
            clue.close_note = "经实地核查,整改到位,同意销号。"
        else:
            clue.status = rng.choices(
                [ClueStatus.PENDING, ClueStatus.IN_PROGRESS, ClueStatus.AWAITING], weights=[25, 50, 25]
            )[0]
            # About two in five open clues are past their deadline; the others still have time.
            # Half of those fell due within the last month, so the daily overdue trend moves.
            draw = rng.random()
            if draw < 0.2:
                clue.deadline = found_on + timedelta(days=rng.choice([30, 45, 60]))
            elif draw < 0.4:
                clue.deadline = today - timedelta(days=rng.randint(1, 29))
            else:
                clue.deadline = today + timedelta(days=rng.randint(15, 150))
            if clue.status != ClueStatus.PENDING:
                clue.started_at, clue.started_by_id = _at(found_on + timedelta(days=3), rng), clerk
                clue.measures = measure
                clue.amount_recovered = (amount * Decimal(rng.randint(0, 50)) / 100).quantize(Decimal("0.01"))
            if clue.status == ClueStatus.AWAITING:
                clue.requested_at, clue.requested_by_id = _at(min(found_on + timedelta(days=20), today), rng), clerk
        rows.append(clue)

    existing = set(Clue.objects.filter(code__in=codes).values_list("code", flat=True))
    new = [c for c in rows if c.code not in existing]
    # No per-clue history for demo rows (it would double the insert time); the clue's own
    # started/requested/closed fields carry its record.
    Clue.objects.bulk_create(new, batch_size=1000)
    with_evidence = [c for c in new if c.status in (ClueStatus.AWAITING, ClueStatus.CLOSED)]
    if with_evidence:
        _demo_evidence_file()
        ids = dict(Clue.objects.filter(code__in=[c.code for c in with_evidence]).values_list("code", "pk"))
        ClueEvidence.objects.bulk_create(
            [
                ClueEvidence(
                    clue_id=ids[c.code],
                    file=EVIDENCE_NAME,
                    original_name="整改佐证材料.pdf",
                    file_type="pdf",
                    size=len(DEMO_PDF),
                    note="整改情况说明及照片",
                    uploaded_at=c.requested_at or c.started_at,
                    uploaded_by_id=c.requested_by_id,
                )
                for c in with_evidence
            ],
            batch_size=1000,
        )
    return len(new)


def _demo_evidence_file() -> None:
    # Through the storage API: the media folder, or the S3-compatible store every server shares.
    if not default_storage.exists(EVIDENCE_NAME):
        default_storage.save(EVIDENCE_NAME, ContentFile(DEMO_PDF))


def _seed_weak_orgs(ctx: _Context, rng: random.Random) -> int:
    allocation = _allocate(WEAK_ORGS, {c.pk: len(ctx.by_county[c.pk]) for c in ctx.counties})
    plan = []
    for county in ctx.counties:
        candidates = [v for v in ctx.by_county[county.pk] if v.kind == "村"]
        for village in sorted(rng.sample(candidates, allocation[county.pk]), key=lambda v: v.code):
            plan.append((county, village))
    existing = set(
        WeakPartyOrganisation.objects.filter(year_listed=YEAR, village__in=[v for _, v in plan]).values_list(
            "village_id", flat=True
        )
    )
    orgs, items = [], []
    for index, (county, village) in enumerate(plan):
        reviewer = ctx.reviewer(village)
        listed = _day(rng, date(2024, 2, 1), date(2024, 3, 15))
        whole_closed = index % 4 != 0  # three in four closed as a whole by the end of May
        org = WeakPartyOrganisation(
            village=village,
            branch_name=f"中共{village.name}支部委员会",
            year_listed=YEAR,
            reasons=rng.choice(WEAK_REASONS),
            plan="落实“六个一”措施整顿,逐一整顿提升、对账销号。",
            responsible_leader=f"{county.name}委常委 联点领导",
            created_at=_at(listed, rng),
            created_by_id=reviewer,
        )
        item_rows = []
        open_items = set() if whole_closed else set(rng.sample(range(1, 7), rng.randint(1, 3)))
        last_close = listed
        for number, measure in enumerate(SIX_MEASURES, start=1):
            item = RectificationItem(
                number=number,
                measure=measure,
                responsible=rng.choice(["乡镇党委书记", "驻村第一书记", "联点县级领导", "结对单位负责人"]),
                deadline=date(2024, 6, 30),
            )
            if number not in open_items:
                closed_on = _day(rng, listed + timedelta(days=10), date(2024, 5, 25))
                last_close = max(last_close, closed_on)
                item.progress = "已落实到位。"
                item.closed_at, item.closed_by_id = _at(closed_on, rng), reviewer
                item.close_note = "对账核实,销号。"
            elif rng.random() < 0.5:
                item.progress = "正在推进中。"
            item_rows.append(item)
        if whole_closed:
            org.status = WeakOrgStatus.CLOSED
            org.closed_at, org.closed_by_id = _at(min(last_close + timedelta(days=3), PERIOD_END), rng), reviewer
            org.close_note = "六项措施全部对账销号,整顿合格。"
        if village.pk not in existing:
            orgs.append(org)
            items.append(item_rows)
    # Like the clues, demo rows carry their steps in their own fields rather than history rows.
    WeakPartyOrganisation.objects.bulk_create(orgs, batch_size=100)
    ids = dict(
        WeakPartyOrganisation.objects.filter(year_listed=YEAR, village__in=[o.village for o in orgs]).values_list(
            "village_id", "pk"
        )
    )
    rows = []
    for org, item_rows in zip(orgs, items, strict=True):
        for item in item_rows:
            item.organisation_id = ids[org.village_id]
            rows.append(item)
    RectificationItem.objects.bulk_create(rows, batch_size=500)
    return len(orgs)


@transaction.atomic
def seed(*, stdout=None) -> str:
    rng = random.Random(SEED)
    ctx = _Context()
    if not ctx.villages:
        return "没有区划数据,跳过"
    inspections_new, inspections = _seed_inspections(ctx, rng)
    campaign, records_new = _seed_campaign(ctx, rng)
    clues_new = _seed_clues(ctx, rng, inspections, campaign)
    orgs_new = _seed_weak_orgs(ctx, rng)
    # The last 30 days of the overdue trend, computed from the clues themselves.
    today = clock.today()
    snapshots = sum(services.overdue_snapshot_record(day=today - timedelta(days=n)) for n in range(29, -1, -1))
    return (
        f"检查 {inspections_new} 次、自查记录 {records_new} 条、线索 {clues_new} 条、"
        f"软弱涣散党组织 {orgs_new} 个、逾期日统计 {snapshots} 条(新增)"
    )
