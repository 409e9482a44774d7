"""Demo 三资 ledgers for every village (`manage.py seed_demo`).

Deterministic (one seeded random.Random per village), idempotent (villages that already have a
ledger are left alone), bulk inserts. Dates that drive warnings (a contract ending within 90 days,
an instalment overdue) are set relative to the day of seeding so the warnings are live in a demo.
Includes 万乐村 (娄星区杉山镇): its school idle for 20 years turned into a 农耕文化研学实践教育基地
(about 100,000 yuan a year) and its mining-subsidence land turned into a 硅肥辣椒 field (产值 168万).
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from loudi_portal import clock
from villages.city import city_name
from villages.models import IncomeReport, IncomeStatus, Village

from .models import (
    Asset,
    AssetCategory,
    AssetNature,
    AssetStatus,
    Contract,
    ContractMethod,
    ContractPayment,
    Fund,
    FundBalance,
    FundKind,
    Resource,
    ResourceStatus,
    ResourceType,
    Revitalisation,
)
from .rules import add_years, yearly_due_dates
from .selectors import receipts_by_village_year, revitalisation_income_by_village

WANLE_CODE = "431302100210"  # 万乐村, 娄星区杉山镇 (the default deployment's demo village)
BALANCE_YEARS = (2023, 2024)
CENT = Decimal("0.01")
SURNAMES = "李王张刘陈杨黄赵周吴曾彭谢罗邓梁肖廖贺伍"
COMPANY_WORDS = ("农业开发", "生态农业", "种养", "林业", "水产养殖", "农机服务", "商贸", "文化旅游")

# name, nature, category, original value range (yuan), status weights
ASSET_KINDS = [
    ("村部综合服务楼", AssetNature.NON_OPERATING, AssetCategory.BUILDING, (400_000, 1_500_000)),
    ("集体门面", AssetNature.OPERATING, AssetCategory.BUILDING, (200_000, 800_000)),
    ("村级光伏电站", AssetNature.OPERATING, AssetCategory.FACILITY, (150_000, 600_000)),
    ("农机具(旋耕机、收割机)", AssetNature.OPERATING, AssetCategory.MACHINERY, (30_000, 150_000)),
    ("村卫生室", AssetNature.NON_OPERATING, AssetCategory.HEALTH, (100_000, 300_000)),
    ("文化活动广场", AssetNature.NON_OPERATING, AssetCategory.CULTURE, (100_000, 400_000)),
    ("农民专业合作社股权", AssetNature.OPERATING, AssetCategory.SHAREHOLDING, (100_000, 500_000)),
]
IDLE_ASSETS = [
    ("原村小学校舍", AssetNature.NON_OPERATING, AssetCategory.EDUCATION, (200_000, 600_000)),
    ("老粮站仓库", AssetNature.OPERATING, AssetCategory.BUILDING, (80_000, 300_000)),
    ("原村部旧楼", AssetNature.NON_OPERATING, AssetCategory.BUILDING, (100_000, 400_000)),
]
# type, name, area range (亩), yearly price per 亩 range (yuan)
RESOURCE_KINDS = [
    (ResourceType.ARABLE, "集体耕地", (50, 400), (300, 550)),
    (ResourceType.FOREST, "集体山林", (200, 3000), (15, 40)),
    (ResourceType.WATER, "山塘水面", (5, 60), (400, 900)),
    (ResourceType.GARDEN, "茶园果园", (20, 150), (350, 700)),
    (ResourceType.CONSTRUCTION, "集体经营性建设用地", (2, 10), (3000, 8000)),
]
IDLE_RESOURCES = [
    (ResourceType.WASTE, "撂荒地", (10, 100), (60, 150)),
    (ResourceType.UNUSED, "废弃砖厂用地", (5, 40), (100, 300)),
]
REVITALISED_USES = {
    "asset": ["乡村民宿", "农产品加工车间", "农村电商服务站", "居家养老服务中心", "红色教育展馆"],
    "resource": ["油茶种植基地", "高标准农田(统一流转)", "稻虾综合种养基地", "蔬菜大棚基地"],
}


def _banks() -> tuple[str, ...]:
    """The banks a village of the configured city keeps its accounts with."""
    city = city_name()
    short = city.removesuffix("市")
    return (
        f"{short}农村商业银行",
        f"中国农业银行{short}分行",
        f"中国邮政储蓄银行{city}分行",
        f"中国建设银行{short}分行",
    )


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _area(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _counterparty(rng: random.Random, village: Village) -> str:
    if rng.random() < 0.45:
        return f"{rng.choice(SURNAMES)}{rng.choice('建国明华志强伟军红平林')}{rng.choice(['', '文', '德', '春'])}"
    return f"{city_name()}{village.name[:2]}{rng.choice(COMPANY_WORDS)}有限公司"


class _Ledger:
    """The rows of one village, before bulk insertion."""

    def __init__(self, village: Village, today: datetime.date):
        self.village = village
        self.today = today
        self.rng = random.Random(f"assets-demo-{village.code}")
        self.funds: list[Fund] = []
        self.balances: list[tuple[Fund, int, Decimal]] = []
        self.assets: list[Asset] = []
        self.resources: list[Resource] = []
        self.contracts: list[Contract] = []
        self.payments: list[tuple[Contract, datetime.date, Decimal, Decimal, datetime.date | None]] = []
        self.revitalisations: list[dict] = []
        self.contract_no = 0

    # --- items --------------------------------------------------------------------------------
    def asset(self, name, nature, category, value_range, status, **extra) -> Asset:
        rng = self.rng
        original = _money(rng.randint(*value_range) // 100 * 100)
        asset = Asset(
            village=self.village,
            code=f"ZC-{len(self.assets) + 1:03d}",
            name=name,
            nature=nature,
            category=category,
            location=f"{self.village.name}{rng.choice(['一', '二', '三', '四', '五', '六'])}组",
            acquired_on=datetime.date(rng.randint(1995, 2021), rng.randint(1, 12), rng.randint(1, 28)),
            original_value=original,
            book_value=(original * Decimal(rng.randint(40, 95)) / 100).quantize(CENT),
            status=status,
            **extra,
        )
        self.assets.append(asset)
        return asset

    def resource(self, rtype, name, area_range, status, **extra) -> Resource:
        rng = self.rng
        resource = Resource(
            village=self.village,
            code=f"ZY-{len(self.resources) + 1:03d}",
            name=name,
            resource_type=rtype,
            area=_area(rng, *area_range),
            location=f"{self.village.name}{rng.choice(['东', '南', '西', '北'])}片",
            status=status,
            **extra,
        )
        self.resources.append(resource)
        return resource

    # --- contracts ----------------------------------------------------------------------------
    def contract(
        self, *, item, yearly: Decimal, start: datetime.date, end: datetime.date, paid: str = "full"
    ) -> Contract:
        self.contract_no += 1
        contract = Contract(
            village=self.village,
            number=f"{self.village.code[-6:]}-HT{start.year}-{self.contract_no:02d}",
            asset=item if isinstance(item, Asset) else None,
            resource=item if isinstance(item, Resource) else None,
            counterparty=_counterparty(self.rng, self.village),
            method=self.rng.choices(
                [ContractMethod.AUCTION, ContractMethod.NEGOTIATION, ContractMethod.OTHER], [6, 3, 1]
            )[0],
            start_date=start,
            end_date=end,
            yearly_amount=yearly,
        )
        self.contracts.append(contract)
        # Yearly instalments on each anniversary; the past ones received, unless `paid` says not.
        past = []
        for due in yearly_due_dates(start, end):
            if due < self.today:
                past.append(len(self.payments))
                received_on = min(due + datetime.timedelta(days=self.rng.randint(0, 20)), self.today)
                self.payments.append((contract, due, yearly, yearly, received_on))
            else:
                self.payments.append((contract, due, yearly, Decimal("0.00"), None))
        if paid != "full" and past:
            index = past[-1]
            c, due, amount, _received, _on = self.payments[index]
            if paid == "none":
                self.payments[index] = (c, due, amount, Decimal("0.00"), None)
            else:  # part of it
                self.payments[index] = (c, due, amount, (amount * Decimal("0.4")).quantize(CENT), _on)
        return contract

    def random_term(self, *, max_years: int = 15) -> tuple[datetime.date, datetime.date]:
        rng = self.rng
        start = datetime.date(rng.randint(2016, 2025), rng.randint(1, 12), 1)
        years = rng.randint(3, max_years)
        end = add_years(start, years) - datetime.timedelta(days=1)
        return start, end


def _build(village: Village, today: datetime.date) -> _Ledger:
    ledger = _Ledger(village, today)
    rng = ledger.rng

    # Funds: a cash box and a basic bank account, a second account for some.
    cash = Fund(village=village, name="库存现金", kind=FundKind.CASH)
    bank = rng.choice(_banks())
    basic = Fund(
        village=village,
        name=f"{village.name}股份经济合作社基本户",
        kind=FundKind.BANK,
        bank=bank,
        account_no="".join(str(rng.randint(0, 9)) for _ in range(19)),
    )
    ledger.funds += [cash, basic]
    if rng.random() < 0.3:
        ledger.funds.append(
            Fund(
                village=village,
                name=f"{village.name}专项资金户",
                kind=FundKind.BANK,
                bank=rng.choice(_banks()),
                account_no="".join(str(rng.randint(0, 9)) for _ in range(19)),
            )
        )
    for fund in ledger.funds:
        base = rng.randint(500, 5000) if fund.kind == FundKind.CASH else rng.randint(30_000, 600_000)
        for i, year in enumerate(BALANCE_YEARS):
            ledger.balances.append((fund, year, _money(base * (1 + 0.12 * i) * rng.uniform(0.85, 1.2))))

    # Assets: the village office for every village, then a few others.
    ledger.asset(*ASSET_KINDS[0], status=AssetStatus.SELF_USE)
    for kind in rng.sample(ASSET_KINDS[1:], rng.randint(1, 3)):
        name, nature, category, value_range = kind
        if category == AssetCategory.SHAREHOLDING:
            status = AssetStatus.INVESTED
        elif name == "集体门面":
            status = AssetStatus.LEASED
        elif category == AssetCategory.MACHINERY:
            status = rng.choice([AssetStatus.LEASED, AssetStatus.SELF_USE, AssetStatus.LENT])
        else:
            status = AssetStatus.SELF_USE
        asset = ledger.asset(*kind, status=status)
        if status == AssetStatus.LEASED:
            start, end = ledger.random_term(max_years=10)
            yearly = _money(float(asset.original_value) * rng.uniform(0.03, 0.08) // 100 * 100)
            ledger.contract(item=asset, yearly=yearly, start=start, end=end, paid=_payment_luck(rng))

    # Resources.
    for kind in rng.sample(RESOURCE_KINDS, rng.randint(1, 3)):
        rtype, name, area_range, price_range = kind
        status = rng.choices(
            [ResourceStatus.CONTRACTED, ResourceStatus.TRANSFERRED, ResourceStatus.UNLET, ResourceStatus.INVESTED],
            [5, 3, 2, 1],
        )[0]
        resource = ledger.resource(rtype, name, area_range, status)
        if status in (ResourceStatus.CONTRACTED, ResourceStatus.TRANSFERRED):
            price = rng.uniform(*price_range)
            roll = rng.random()
            if roll < 0.04:  # far below the county's going rate
                price *= 0.3
            if rtype == ResourceType.FOREST and rng.random() < 0.08:
                # 林地 leased for 30 years: longer than a collective lease may run.
                start = datetime.date(rng.randint(2008, 2020), rng.randint(1, 12), 1)
                end = add_years(start, 30) - datetime.timedelta(days=1)
            elif roll > 0.96:
                # Ending soon: within the next 90 days of the seeding day.
                end = today + datetime.timedelta(days=rng.randint(5, 85))
                start = add_years(end, -rng.randint(3, 8)) + datetime.timedelta(days=1)
            else:
                start, end = ledger.random_term()
            yearly = _money(round(price * float(resource.area), -1))
            ledger.contract(item=resource, yearly=yearly, start=start, end=end, paid=_payment_luck(rng))

    # Idle items, some of them revitalised.
    if rng.random() < 0.18:
        asset = ledger.asset(*rng.choice(IDLE_ASSETS), status=AssetStatus.IDLE)
        if rng.random() < 0.3:
            _revitalise_asset(ledger, asset)
    if rng.random() < 0.15:
        rtype, name, area_range, price_range = rng.choice(IDLE_RESOURCES)
        resource = ledger.resource(rtype, name, area_range, ResourceStatus.IDLE)
        if rng.random() < 0.3:
            _revitalise_resource(ledger, resource, price_range)
    if village.code == WANLE_CODE:
        _wanle(ledger)
    return ledger


def _payment_luck(rng: random.Random) -> str:
    roll = rng.random()
    return "none" if roll < 0.04 else "part" if roll < 0.07 else "full"


def _revitalise_asset(ledger: _Ledger, asset: Asset) -> None:
    rng = ledger.rng
    on = datetime.date(rng.randint(2021, 2025), rng.randint(1, 12), rng.randint(1, 28))
    use = rng.choice(REVITALISED_USES["asset"])
    if rng.random() < 0.5:
        asset.status = AssetStatus.LEASED
        yearly = _money(rng.randint(20, 120) * 1000)
        contract = ledger.contract(
            item=asset, yearly=yearly, start=on, end=add_years(on, 10) - datetime.timedelta(days=1)
        )
        ledger.revitalisations.append(
            {"asset": asset, "on": on, "became": use, "contract": contract, "income": None, "output": None}
        )
    else:
        asset.status = AssetStatus.SELF_USE
        income = _money(rng.randint(20, 150) * 1000)
        ledger.revitalisations.append(
            {"asset": asset, "on": on, "became": use, "contract": None, "income": income, "output": None}
        )


def _revitalise_resource(ledger: _Ledger, resource: Resource, price_range) -> None:
    rng = ledger.rng
    on = datetime.date(rng.randint(2021, 2025), rng.randint(1, 12), rng.randint(1, 28))
    resource.status = ResourceStatus.TRANSFERRED
    yearly = _money(round(rng.uniform(*price_range) * float(resource.area), -1))
    contract = ledger.contract(
        item=resource, yearly=yearly, start=on, end=add_years(on, 10) - datetime.timedelta(days=1)
    )
    ledger.revitalisations.append(
        {
            "resource": resource,
            "on": on,
            "became": rng.choice(REVITALISED_USES["resource"]),
            "contract": contract,
            "income": None,
            "output": None,
        }
    )


def _wanle(ledger: _Ledger) -> None:
    """万乐村, from the seed article."""
    school = ledger.asset(
        "原万乐村小学校舍",
        AssetNature.NON_OPERATING,
        AssetCategory.EDUCATION,
        (480_000, 480_000),
        AssetStatus.SELF_USE,
    )
    school.acquired_on = datetime.date(1988, 9, 1)
    school.book_value = Decimal("210000.00")
    school.note = "闲置 20 多年后修复。"
    ledger.revitalisations.append(
        {
            "asset": school,
            "on": datetime.date(2023, 9, 1),
            "became": "农耕文化研学实践教育基地",
            "contract": None,
            "income": Decimal("100000.00"),
            "output": None,
            "description": "将闲置20多年的村级小学修复打造成农耕文化研学实践教育基地,吸引游客1万余人,带动产品收入约10万元。",
        }
    )
    land = ledger.resource(ResourceType.WASTE, "煤矿沉陷区撂荒地", (160, 160), ResourceStatus.INVESTED)
    land.area = Decimal("160.00")
    land.note = "煤矿沉陷土地,由村集体经济合作社统一整理。"
    ledger.revitalisations.append(
        {
            "resource": land,
            "on": datetime.date(2024, 3, 1),
            "became": "硅肥辣椒种植产业“希望田”",
            "contract": None,
            "income": None,
            "output": Decimal("1680000.00"),
            "description": "把煤矿沉陷土地等撂荒地由村集体经济合作社统一整理,发展硅肥辣椒种植,今年预计产值168万元。",
        }
    )


def _insert_payments(rows) -> None:
    """Tens of thousands of instalments in multi-row INSERTs: the ORM's bulk_create spends
    seconds preparing Decimal and date values here, and psycopg2's executemany goes row by row."""
    table = connection.ops.quote_name(ContractPayment._meta.db_table)
    columns = "contract_id, due_date, amount_due, amount_received, received_on"
    batch = min(1000, (connection.features.max_query_params or 5000) // 5)
    params = [
        (c.pk, due.isoformat(), str(amount), str(received), on.isoformat() if on else None)
        for c, due, amount, received, on in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), batch):
            chunk = params[start : start + batch]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", [v for row in chunk for v in row])


@transaction.atomic
def seed(*, stdout=None) -> str:
    today = clock.today()
    done = set(Fund.objects.values_list("village_id", flat=True).distinct())
    villages = [v for v in Village.objects.order_by("code") if v.pk not in done]
    if not villages:
        aligned = align_receipts_with_income()
        return f"三资台账已存在;按收入调整了 {aligned} 笔收款" if aligned else "三资台账已存在,未作改动"
    ledgers = [_build(v, today) for v in villages]

    def flat(attr):
        return [row for ledger in ledgers for row in getattr(ledger, attr)]

    funds = Fund.objects.bulk_create(flat("funds"), batch_size=1000)
    FundBalance.objects.bulk_create(
        [FundBalance(fund=f, year=y, balance=b) for f, y, b in flat("balances")], batch_size=2000
    )
    assets = Asset.objects.bulk_create(flat("assets"), batch_size=1000)
    resources = Resource.objects.bulk_create(flat("resources"), batch_size=1000)
    contracts = flat("contracts")
    for contract in contracts:  # re-point at the saved items (bulk_create set their ids in place)
        contract.asset_id = contract.asset.pk if contract.asset else None
        contract.resource_id = contract.resource.pk if contract.resource else None
    Contract.objects.bulk_create(contracts, batch_size=1000)
    payments = flat("payments")
    _insert_payments(payments)
    revitalisations = Revitalisation.objects.bulk_create(
        [
            Revitalisation(
                village=ledger.village,
                asset=r.get("asset"),
                resource=r.get("resource"),
                revitalised_on=r["on"],
                became=r["became"],
                contract=r["contract"],
                yearly_income=r["income"],
                expected_output=r["output"],
                description=r.get("description", ""),
            )
            for ledger in ledgers
            for r in ledger.revitalisations
        ],
        batch_size=1000,
    )
    aligned = align_receipts_with_income()
    return (
        f"{len(villages)} 个村(社区)(按收入调整收款 {aligned} 笔):资金账户 {len(funds)} 个,资产 {len(assets)} 项,资源 {len(resources)} 项,"
        f"合同 {len(contracts)} 份(收款计划 {len(payments)} 笔),盘活 {len(revitalisations)} 项"
    )


# The share of a year's reported 经营收入 + 发包及上交收入 the demo's receipts of that year may reach.
RECEIPTS_SHARE_OF_INCOME = Decimal("0.8")


def align_receipts_with_income() -> int:
    """Scale down the demo's contract receipts where they exceed what the village reported.

    The demo draws incomes and ledgers independently, so many villages would receive more under
    their contracts than their whole reported 经营收入 + 发包及上交收入: the income check (收入核对)
    would flag half the city. Where a village's receipts of a year (plus its 盘活 income without a
    contract) exceed 80% of that year's reported figure, that year's instalments (due and received
    alike) are scaled down to it, so only the villages the demo plants trip the check. Returns the
    number of instalments changed; a second call changes none.
    """
    reported = {
        (row["village_id"], row["year"]): row["operating_revenue"] + row["contracting_revenue"]
        for row in IncomeReport.objects.filter(status__in=[IncomeStatus.SUBMITTED, IncomeStatus.APPROVED]).values(
            "village_id", "year", "operating_revenue", "contracting_revenue"
        )
    }
    if not reported:
        return 0
    villages = Village.objects.all()
    years = sorted({year for _, year in reported})
    receipts = receipts_by_village_year(villages=villages, years=years)
    revitalised = revitalisation_income_by_village(villages=villages)
    factors = {}
    for (village_id, year), received in receipts.items():
        if (village_id, year) not in reported or not received:
            continue
        other = sum((s for y, s in revitalised.get(village_id, []) if y <= year), Decimal("0"))
        cap = max(reported[(village_id, year)] * RECEIPTS_SHARE_OF_INCOME - other, Decimal("0"))
        if received > cap:
            factors[(village_id, year)] = cap / received
    if not factors:
        return 0
    changed = []
    payments = ContractPayment.objects.filter(
        contract__village_id__in={v for v, _ in factors}, received_on__isnull=False
    ).select_related("contract")
    for payment in payments:
        factor = factors.get((payment.contract.village_id, payment.received_on.year))
        if factor is None:
            continue
        whole = payment.amount_received == payment.amount_due
        payment.amount_received = (payment.amount_received * factor).quantize(CENT, ROUND_DOWN)
        payment.amount_due = (
            payment.amount_received if whole else (payment.amount_due * factor).quantize(CENT, ROUND_DOWN)
        )
        changed.append(payment)
    ContractPayment.objects.bulk_update(changed, ["amount_due", "amount_received"], batch_size=1000)
    return len(changed)
