"""Reads of the 三资 ledgers: scoped lists, contract warnings, summaries for other apps.

Every figure here is computed set-based: a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from loudi_portal import clock
from loudi_portal.data_versions import cached
from villages.models import Village
from villages.scope import SYSTEM_SCOPE, Scope

from .models import (
    Asset,
    AssetStatus,
    Contract,
    ContractPayment,
    Fund,
    FundBalance,
    Resource,
    ResourceStatus,
    ResourceType,
    Revitalisation,
)
from .rules import (
    ENDING_WITHIN_DAYS,
    LOW_PRICE_SHARE,
    MAX_TERM_YEARS,
    MIN_COMPARABLES,
    WARNING_LABELS,
    in_force_q,
    payment_overdue_q,
)

ZERO = Decimal("0.00")
WARNING_ORDER = {code: i for i, code in enumerate(WARNING_LABELS)}
# What the warnings are computed from: contracts, payments and resources, and the divisions.
WARNING_APPS = ("assets", "villages")
WARNING_CACHE_SECONDS = 6 * 3600
_VILLAGE_PATH = "village__township__county"


def _cents(value) -> Decimal:
    """Sums come back with the backend's own scale (SQLite: 15 digits); show them in cents."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def today_local() -> datetime.date:
    return clock.today()


@dataclass(frozen=True)
class ContractWarning:
    contract: Contract
    code: str
    label: str
    detail: str


# --- lists ------------------------------------------------------------------------------------


def _revitalised(model) -> Exists:
    field = "asset" if model is Asset else "resource"
    return Exists(Revitalisation.objects.filter(**{field: OuterRef("pk")}))


def asset_list(*, scope: Scope) -> QuerySet[Asset]:
    qs = Asset.objects.select_related(_VILLAGE_PATH).annotate(revitalised=_revitalised(Asset))
    return scope.filter(qs).order_by("village__code", "code")


def resource_list(*, scope: Scope) -> QuerySet[Resource]:
    qs = Resource.objects.select_related(_VILLAGE_PATH).annotate(revitalised=_revitalised(Resource))
    return scope.filter(qs).order_by("village__code", "code")


def _payment_sum(field: str) -> Coalesce:
    total = (
        ContractPayment.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(s=Sum(field))
        .values("s")
    )
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=16, decimal_places=2)), Value(ZERO))


def with_payment_totals(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate total_due and total_received (subqueries, so no join multiplies the rows)."""
    return qs.annotate(total_due=_payment_sum("amount_due"), total_received=_payment_sum("amount_received"))


def contract_list(*, scope: Scope) -> QuerySet[Contract]:
    qs = Contract.objects.select_related(_VILLAGE_PATH, "asset", "resource").annotate(
        revitalised=Exists(Revitalisation.objects.filter(contract=OuterRef("pk")))
    )
    return with_payment_totals(scope.filter(qs)).order_by("village__code", "number")


def fund_list(*, scope: Scope) -> QuerySet[Fund]:
    balances = FundBalance.objects.order_by("year")
    qs = Fund.objects.select_related(_VILLAGE_PATH).prefetch_related(Prefetch("balances", queryset=balances))
    return scope.filter(qs).order_by("village__code", "kind", "name")


def revitalisation_list(*, scope: Scope) -> QuerySet[Revitalisation]:
    qs = Revitalisation.objects.select_related(_VILLAGE_PATH, "asset", "resource", "contract")
    return scope.filter(qs).order_by("-revitalised_on", "pk")


def fund_years(*, funds: QuerySet[Fund]) -> list[int]:
    return sorted(set(FundBalance.objects.filter(fund__in=funds).values_list("year", flat=True)))


# --- contract warnings ------------------------------------------------------------------------


def _term_over(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """end > start + 20 years, compared as (years, month, day) so leap days need no special case."""
    years = ExpressionWrapper(ExtractYear("end_date") - ExtractYear("start_date"), output_field=IntegerField())
    return qs.annotate(
        _years=years,
        _em=ExtractMonth("end_date"),
        _sm=ExtractMonth("start_date"),
        _ed=ExtractDay("end_date"),
        _sd=ExtractDay("start_date"),
    ).filter(
        Q(_years__gt=MAX_TERM_YEARS)
        | Q(_years=MAX_TERM_YEARS, _em__gt=F("_sm"))
        | Q(_years=MAX_TERM_YEARS, _em=F("_sm"), _ed__gt=F("_sd"))
    )


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    sql, params = qs.order_by().query.sql_with_params()
    return sql, tuple(params)


def _price_low_sql(contracts: QuerySet[Contract], today: datetime.date) -> tuple[str, tuple]:
    """SQL of (cid, price, median, rtype) for the contracts in `contracts` whose yearly price per 亩
    is under half the median of the other contracts in force on the same type of resource in the
    same county: window functions over the counties in question, no row in Python.

    The median without a contract itself only ever needs the group's values at the middle
    positions (n-1)/2 - 1, (n-1)/2 and (n-1)/2 + 1 (a, b, c below), so it is a CASE on the
    contract's own rank.
    """
    population, p_params = _sql(
        Contract.objects.filter(resource__isnull=False, end_date__gte=today)
        .filter(village__township__county__in=contracts.order_by().values("village__township__county"))
        .values(
            cid=F("pk"),
            rtype=F("resource__resource_type"),
            county=F("village__township__county_id"),
            price=ExpressionWrapper(F("yearly_amount") / F("resource__area"), output_field=DecimalField()),
        )
    )
    mine, m_params = _sql(contracts.values("pk"))
    at_mid = "CASE WHEN (r.n - 1) / 2 < r.idx THEN m.b ELSE m.c END"
    at_before = "CASE WHEN (r.n - 1) / 2 - 1 < r.idx THEN m.a ELSE m.b END"
    # The ranked population is computed once (a CTE) and read twice: for each contract's rank and
    # for its group's middle values.
    sql = f"""
        WITH ranked AS (
            SELECT pop.cid, pop.rtype, pop.county, pop.price,
                   ROW_NUMBER() OVER (PARTITION BY pop.rtype, pop.county ORDER BY pop.price, pop.cid) - 1 AS idx,
                   COUNT(*) OVER (PARTITION BY pop.rtype, pop.county) AS n
            FROM ({population}) pop
        ), mids AS (
            SELECT rtype, county,
                   MAX(CASE WHEN idx = (n - 1) / 2 - 1 THEN price END) AS a,
                   MAX(CASE WHEN idx = (n - 1) / 2 THEN price END) AS b,
                   MAX(CASE WHEN idx = (n - 1) / 2 + 1 THEN price END) AS c
            FROM ranked GROUP BY rtype, county
        )
        SELECT pl.cid, pl.price, pl.median, pl.rtype FROM (
            SELECT r.cid, r.rtype, r.price,
                   CASE WHEN (r.n - 1) %% 2 = 1 THEN {at_mid} ELSE ({at_before} + {at_mid}) / 2 END AS median
            FROM ranked r JOIN mids m ON m.rtype = r.rtype AND m.county = r.county
            WHERE r.n - 1 >= {MIN_COMPARABLES} AND r.cid IN ({mine})
        ) pl WHERE pl.price < pl.median * {LOW_PRICE_SHARE}
    """
    return sql, p_params + m_params


def _price_low(contracts: QuerySet[Contract], today: datetime.date) -> dict[int, tuple[Decimal, Decimal, str]]:
    """{contract id: (price per 亩, median of the others, resource type label)}. One query."""
    sql, params = _price_low_sql(contracts, today)
    labels = dict(ResourceType.choices)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            cid: (_decimal(price), _decimal(median), labels.get(rtype, rtype)) for cid, price, median, rtype in cursor
        }


def _decimal(value) -> Decimal:
    # SQLite returns floats from the division; PostgreSQL exact numerics.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _warning_details(contracts: QuerySet[Contract], today: datetime.date) -> dict[int, list[tuple[str, str]]]:
    """{contract id: [(code, detail), ...]} for the contracts in `contracts`. Four queries."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)

    overdue = (
        ContractPayment.objects.filter(payment_overdue_q(today), contract__in=contracts)
        .values("contract_id")
        .annotate(n=Count("id"), owed=Sum(F("amount_due") - F("amount_received")), earliest=Min("due_date"))
        .order_by()
    )
    for row in overdue:
        found[row["contract_id"]].append(
            (
                "overdue",
                f"{row['n']} 笔应收款逾期未收足,欠收 {row['owed']:,.2f} 元,最早应收日期 {row['earliest']:%Y-%m-%d}",
            )
        )

    for pk, start, end in _term_over(contracts).values_list("pk", "start_date", "end_date"):
        found[pk].append(("term_over_20y", f"租期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d},超过 {MAX_TERM_YEARS} 年"))

    horizon = today + datetime.timedelta(days=ENDING_WITHIN_DAYS)
    for pk, end in contracts.filter(end_date__gte=today, end_date__lte=horizon).values_list("pk", "end_date"):
        found[pk].append(("ending_90d", f"将于 {end:%Y-%m-%d} 到期,剩余 {(end - today).days} 天"))

    for pk, (price, median, label) in _price_low(contracts, today).items():
        found[pk].append(
            (
                "price_low",
                f"每亩年租金 {price:,.2f} 元,不足本县同类{label}合同中位数 {median:,.2f} 元的一半",
            )
        )
    for items in found.values():
        items.sort(key=lambda item: WARNING_ORDER[item[0]])
    return found


def _warning_rows_sql(contracts: QuerySet[Contract], today: datetime.date) -> tuple[str, tuple]:
    """SQL of (contract_id, code, rank) for every warning of `contracts`: the same four rules as
    `_warning_details`, as one UNION the database counts, orders and pages."""
    horizon = today + datetime.timedelta(days=ENDING_WITHIN_DAYS)
    arms = [
        (
            "overdue",
            ContractPayment.objects.filter(payment_overdue_q(today), contract__in=contracts.order_by())
            .values(cid=F("contract_id"))
            .distinct(),
        ),
        ("term_over_20y", _term_over(contracts).values(cid=F("pk"))),
        ("ending_90d", contracts.filter(end_date__gte=today, end_date__lte=horizon).values(cid=F("pk"))),
    ]
    parts, params = [], ()
    for code, qs in arms:
        sql, p = _sql(qs)
        parts.append(f"SELECT a.cid AS contract_id, '{code}' AS code, {WARNING_ORDER[code]} AS rank FROM ({sql}) a")
        params += p
    sql, p = _price_low_sql(contracts, today)
    parts.append(
        f"SELECT a.cid AS contract_id, 'price_low' AS code, {WARNING_ORDER['price_low']} AS rank FROM ({sql}) a"
    )
    return " UNION ALL ".join(parts), params + p


class WarningList:
    """The warnings of a set of contracts, ordered by village code, contract number and rule.
    The database finds and orders them in one query, which returns only (contract id, rule) pairs;
    the counts per rule and every page are read from that list, and only a page's contracts are
    loaded. The list and each page are kept in the cache under the versions of the 三资 and the
    divisions (and the SQL, which holds the scope, the filters and the day): the same page again
    costs no query until a contract, a payment or a resource changes. Django's Paginator takes it
    like a list."""

    def __init__(
        self,
        contracts: QuerySet[Contract],
        today: datetime.date,
        code: str | None = None,
        refresh: bool = False,
        city_wide: bool = False,
    ):
        self.contracts = contracts
        self.city_wide = city_wide  # a city-wide user's: perhaps the whole city's list
        self.today = today
        self.code = code
        self.refresh = refresh
        self._key: str | None = None
        self._all: list[tuple[int, str]] | None = None
        # When the pairs were found, and whether they are the last ones while a task finds new ones.
        self.computed_at: datetime.datetime | None = None
        self.recomputing = False

    def _cache_key(self) -> tuple[str, str, tuple]:
        sql, params = _warning_rows_sql(self.contracts, self.today)
        if self._key is None:
            digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
            self._key = f"assets:warnings:{digest}"
        return self._key, sql, params

    def _ordered(self) -> list[tuple[int, str]]:
        """Every (contract id, rule) pair, in the list's order, every rule."""
        if self._all is None:
            key, sql, params = self._cache_key()
            contract, village = Contract._meta.db_table, Village._meta.db_table
            ordered = f"""SELECT w.contract_id, w.code FROM ({sql}) w
                JOIN {contract} c ON c.id = w.contract_id JOIN {village} v ON v.id = c.village_id
                ORDER BY v.code, c.number, w.rank"""

            def fetch() -> dict:
                with connection.cursor() as cursor:
                    cursor.execute(ordered, params)
                    return {"rows": [(cid, code) for cid, code in cursor.fetchall()], "computed_at": clock.now()}

            found = cached(
                key,
                apps=WARNING_APPS,
                compute=fetch,
                timeout=WARNING_CACHE_SECONDS,
                refresh=self.refresh,
                recompute=(CITY_WARNINGS_TASK, {})
                if self.city_wide and key == _city_warnings_key(self.today)
                else None,
            )
            self._all, self.computed_at = found["rows"], found["computed_at"]
            self.recomputing = bool(found.get("recomputing"))
        return self._all

    def _rows(self) -> list[tuple[int, str]]:
        rows = self._ordered()
        return [row for row in rows if row[1] == self.code] if self.code else rows

    def counts(self) -> dict[str, int]:
        """{code: number of warnings}, every rule, whatever `code` narrows the list to."""
        counts = dict.fromkeys(WARNING_LABELS, 0)
        for _cid, code in self._ordered():
            counts[code] += 1
        return counts

    def count(self) -> int:
        return len(self._rows())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        rows = self._rows()[index]
        if not rows:
            return []
        key, _sql, _params = self._cache_key()
        return cached(
            f"{key}:{self.code or ''}:{index.start}:{index.stop}",
            apps=WARNING_APPS,
            compute=lambda: self._warnings(rows),
            timeout=WARNING_CACHE_SECONDS,
        )

    def _warnings(self, rows: list[tuple[int, str]]) -> list[ContractWarning]:
        ids = {cid for cid, _code in rows}
        objects = Contract.objects.filter(pk__in=ids).select_related(_VILLAGE_PATH, "asset", "resource").in_bulk()
        details = _warning_details(Contract.objects.filter(pk__in=ids), self.today)
        result = []
        for cid, code in rows:
            # Pairs found before a write (while a task finds them again) may name a contract gone
            # or a warning no longer true: the page shows only what holds now.
            detail = next((text for c, text in details.get(cid, ()) if c == code), None)
            if detail is not None and cid in objects:
                result.append(ContractWarning(objects[cid], code, WARNING_LABELS[code], detail))
        return result


def contract_warnings(*, contract: Contract, today: datetime.date | None = None) -> list[ContractWarning]:
    """The warnings of one contract."""
    today = today or today_local()
    details = _warning_details(Contract.objects.filter(pk=contract.pk), today).get(contract.pk, [])
    return [ContractWarning(contract, code, WARNING_LABELS[code], detail) for code, detail in details]


def contract_warning_list(
    *,
    scope: Scope,
    today: datetime.date | None = None,
    contracts: QuerySet[Contract] | None = None,
    code: str | None = None,
    refresh: bool = False,
) -> WarningList:
    """Every warning on the contracts in scope (optionally narrowed to `contracts` and to one rule),
    ordered by village and contract number; counted and paged in SQL (see WarningList). `refresh`
    finds them again whatever is kept."""
    today = today or today_local()
    qs = scope.filter(contracts if contracts is not None else Contract.objects.all())
    return WarningList(qs, today, code, refresh=refresh, city_wide=scope.sees_city)


# The whole city's warnings (no filter) read every contract, payment and resource: after a write a
# task finds them again (assets.tasks.city_warnings_recompute) while readers get the last ones with
# their time. Any other list (a county's, a filtered one) is smaller and found by its reader.
CITY_WARNINGS_TASK = "assets.tasks.city_warnings_recompute"


def _city_warnings_key(today: datetime.date) -> str:
    return WarningList(SYSTEM_SCOPE.filter(Contract.objects.all()), today)._cache_key()[0]


def city_warnings_find() -> None:
    """Find the whole city's contract warnings again and keep them (what the task runs)."""
    contract_warning_list(scope=SYSTEM_SCOPE, refresh=True)._ordered()


# --- summaries --------------------------------------------------------------------------------


def village_assets_summary(*, village: Village, today: datetime.date | None = None) -> dict:
    """One village's 三资 at a glance (fixed query count)."""
    today = today or today_local()
    latest_year = FundBalance.objects.filter(fund__village=village).order_by("-year").values_list("year", flat=True)
    latest_year = latest_year.first()
    funds_balance = ZERO
    if latest_year is not None:
        funds_balance = FundBalance.objects.filter(fund__village=village, year=latest_year).aggregate(
            s=Coalesce(Sum("balance"), Value(ZERO))
        )["s"]
    assets = Asset.objects.filter(village=village).aggregate(
        n=Count("id", filter=~Q(status=AssetStatus.DISPOSED)),
        book=Coalesce(Sum("book_value", filter=~Q(status=AssetStatus.DISPOSED)), Value(ZERO)),
        idle=Count("id", filter=Q(status=AssetStatus.IDLE)),
    )
    resources = Resource.objects.filter(village=village).aggregate(
        area=Coalesce(Sum("area"), Value(ZERO)), idle=Count("id", filter=Q(status=ResourceStatus.IDLE))
    )
    contracts = Contract.objects.filter(village=village)
    active = contracts.filter(in_force_q(today)).count()
    warnings = _warning_details(contracts, today)
    return {
        "funds_year": latest_year,
        "funds_balance": _cents(funds_balance),
        "asset_count": assets["n"],
        "asset_book_value": _cents(assets["book"]),
        "resource_area": _cents(resources["area"]),
        "idle_count": assets["idle"] + resources["idle"],
        "active_contracts": active,
        "warning_count": sum(len(items) for items in warnings.values()),
    }


def village_ledger_by_status(*, village: Village) -> dict[str, list[dict]]:
    """One village's assets and resources by status, every status listed (two grouped queries)."""
    assets = {
        row["status"]: row
        for row in Asset.objects.filter(village=village)
        .values("status")
        .annotate(n=Count("id"), book=Coalesce(Sum("book_value"), Value(ZERO)))
        .order_by()
    }
    resources = {
        row["status"]: row
        for row in Resource.objects.filter(village=village)
        .values("status")
        .annotate(n=Count("id"), area=Coalesce(Sum("area"), Value(ZERO)))
        .order_by()
    }
    return {
        "assets": [
            {
                "status": value,
                "label": label,
                "count": assets.get(value, {}).get("n", 0),
                "book_value": _cents(assets.get(value, {}).get("book")),
            }
            for value, label in AssetStatus.choices
        ],
        "resources": [
            {
                "status": value,
                "label": label,
                "count": resources.get(value, {}).get("n", 0),
                "area": _cents(resources.get(value, {}).get("area")),
            }
            for value, label in ResourceStatus.choices
        ],
    }


def receipts_by_village_year(*, villages: QuerySet[Village], years: list[int]) -> dict[tuple[int, int], Decimal]:
    """Contract payments received, per village and calendar year of receipt (one grouped query):
    {(village id, year): amount}. A payment counts in the year it came in, whatever its due date."""
    rows = (
        ContractPayment.objects.filter(
            contract__village__in=villages, received_on__isnull=False, received_on__year__in=years
        )
        .annotate(y=ExtractYear("received_on"))
        .values("contract__village_id", "y")
        .annotate(s=Sum("amount_received"))
        .order_by()
    )
    return {(row["contract__village_id"], row["y"]): _cents(row["s"]) for row in rows}


def revitalisation_income_by_village(*, villages: QuerySet[Village]) -> dict[int, list[tuple[int, Decimal]]]:
    """The yearly income of 盘活 records without a contract, per village: [(year revitalised, income)]
    (one grouped query). Income under a contract is already in that contract's payments."""
    rows = (
        Revitalisation.objects.filter(village__in=villages, contract__isnull=True, yearly_income__isnull=False)
        .annotate(y=ExtractYear("revitalised_on"))
        .values("village_id", "y")
        .annotate(s=Sum("yearly_income"))
        .order_by()
    )
    result: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for row in rows:
        result[row["village_id"]].append((row["y"], _cents(row["s"])))
    return dict(result)


def revitalisation_by_county(*, scope: Scope) -> dict[str, dict]:
    """Idle and revitalised items per county in scope: counts, book value (yuan), idle area (亩),
    and the yearly income the 盘活 records bring. Four queries."""
    county_key = "village__township__county__code"
    result = {
        c.code: {
            "code": c.code,
            "name": c.name,
            "idle_count": 0,
            "idle_value": ZERO,
            "idle_area": ZERO,
            "revitalised_count": 0,
            "revitalised_value": ZERO,
            "revitalised_area": ZERO,
            "revitalised_income": ZERO,
            "revitalised_output": ZERO,
        }
        for c in scope.counties().order_by("code")
    }
    asset_rows = (
        scope.filter(Asset.objects.annotate(rev=_revitalised(Asset)))
        .values(county_key)
        .annotate(
            idle_count=Count("id", filter=Q(status=AssetStatus.IDLE)),
            idle_value=Sum("book_value", filter=Q(status=AssetStatus.IDLE)),
            revitalised_count=Count("id", filter=Q(rev=True)),
            revitalised_value=Sum("book_value", filter=Q(rev=True)),
        )
        .order_by()
    )
    resource_rows = (
        scope.filter(Resource.objects.annotate(rev=_revitalised(Resource)))
        .values(county_key)
        .annotate(
            idle_count=Count("id", filter=Q(status=ResourceStatus.IDLE)),
            idle_area=Sum("area", filter=Q(status=ResourceStatus.IDLE)),
            revitalised_count=Count("id", filter=Q(rev=True)),
            revitalised_area=Sum("area", filter=Q(rev=True)),
        )
        .order_by()
    )
    income_rows = (
        scope.filter(Revitalisation.objects.all())
        .values(county_key)
        # A 盘活 without its own income figure brings what its contract pays.
        .annotate(income=Sum(Coalesce("yearly_income", "contract__yearly_amount")), output=Sum("expected_output"))
        .order_by()
    )
    for row in asset_rows:
        unit = result.get(row[county_key])
        if unit is None:
            continue
        unit["idle_count"] += row["idle_count"]
        unit["idle_value"] += row["idle_value"] or ZERO
        unit["revitalised_count"] += row["revitalised_count"]
        unit["revitalised_value"] += row["revitalised_value"] or ZERO
    for row in resource_rows:
        unit = result.get(row[county_key])
        if unit is None:
            continue
        unit["idle_count"] += row["idle_count"]
        unit["idle_area"] += row["idle_area"] or ZERO
        unit["revitalised_count"] += row["revitalised_count"]
        unit["revitalised_area"] += row["revitalised_area"] or ZERO
    for row in income_rows:
        unit = result.get(row[county_key])
        if unit is not None:
            unit["revitalised_income"] += row["income"] or ZERO
            unit["revitalised_output"] += row["output"] or ZERO
    for unit in result.values():
        for key, value in unit.items():
            if isinstance(value, Decimal):
                unit[key] = _cents(value)
    return result


def revitalisation_totals(by_county: dict[str, dict]) -> dict:
    keys = (
        "idle_count",
        "idle_value",
        "idle_area",
        "revitalised_count",
        "revitalised_value",
        "revitalised_area",
        "revitalised_income",
        "revitalised_output",
    )
    return {key: sum((unit[key] for unit in by_county.values()), 0 if key.endswith("count") else ZERO) for key in keys}


# --- history ----------------------------------------------------------------------------------

HISTORY_TYPES = {"+": "新建", "~": "修改", "-": "删除"}


def history_rows(*, obj) -> list[dict]:
    """The audit trail of one record, newest first, with the fields each change touched (one query)."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    model = type(obj)
    rows = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                field = model._meta.get_field(change.field)
                changes.append(
                    {"field": field.verbose_name, "old": _shown(field, change.old), "new": _shown(field, change.new)}
                )
        rows.append(
            {
                "when": record.history_date,
                "user": record.history_user,
                "type": HISTORY_TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows


def _shown(field, value):
    if value in (None, ""):
        return "—"
    choices = dict(field.flatchoices) if field.choices else None
    if choices:
        return choices.get(value, value)
    if field.is_relation:
        return f"#{value}"
    return value


def contract_payments(*, contract: Contract, today: datetime.date | None = None) -> QuerySet[ContractPayment]:
    """The contract's instalments by due date, each with `settled` (received in full) and
    `overdue` computed by the database (one query)."""
    today = today or today_local()
    return (
        ContractPayment.objects.filter(contract_id=contract.pk)
        .annotate(
            settled=ExpressionWrapper(Q(amount_received__gte=F("amount_due")), output_field=BooleanField()),
            overdue=ExpressionWrapper(payment_overdue_q(today), output_field=BooleanField()),
        )
        .order_by("due_date")
    )


def payment_history(*, contract: Contract) -> QuerySet:
    """Every change to the contract's instalments, deleted ones included (one query)."""
    return (
        ContractPayment.history.filter(contract_id=contract.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def balance_history(*, fund: Fund) -> QuerySet:
    return (
        FundBalance.history.filter(fund_id=fund.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def village_ledger(*, village: Village, scope: Scope) -> dict:
    """Everything of one village's 三资 page and workbook, in a fixed number of queries."""
    funds = list(fund_list(scope=scope).filter(village=village))
    years = sorted({b.year for f in funds for b in f.balances.all()})
    for fund in funds:
        by_year = {b.year: b.balance for b in fund.balances.all()}
        fund.year_balances = [by_year.get(y) for y in years]
    contracts = list(contract_list(scope=scope).filter(village=village))
    return {
        "village": village,
        "summary": village_assets_summary(village=village),
        "funds": funds,
        "years": years,
        "assets": list(asset_list(scope=scope).filter(village=village)),
        "resources": list(resource_list(scope=scope).filter(village=village)),
        "contracts": contracts,
        "warnings": list(contract_warning_list(scope=scope, contracts=Contract.objects.filter(village=village))),
        "revitalisations": list(revitalisation_list(scope=scope).filter(village=village)),
    }
