"""Synthetic data at province or national size for `manage.py bench_data` and `manage.py benchmark`.

Loudi's real divisions and demo data stay as they are; synthetic counties, townships and villages are
added beside them (codes starting with 9, which no real division uses), and each synthetic village
receives a copy of one Loudi village's 3 years of income reports, 三资 ledgers and clues. The
divisions and the village → template map go in with COPY; the copies are made by the database
itself (INSERT … SELECT), so no row passes through Python. The same seed gives the same data.

PostgreSQL only: SQLite has neither COPY nor the sizes worth measuring.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from django.db import connection, models, transaction

from assets.models import Asset, Contract, ContractPayment, Fund, FundBalance, Resource, Revitalisation
from incentives.models import CountyTarget
from rectification.models import Clue
from villages.models import County, IncomeReport, Township, Village

# (villages, townships, counties) in all, Loudi's included: Hunan (25,888 villages, as it has been
# generated) and the country (the 38,000 townships and 2,850 counties at 500,000 villages).
# Between two shapes the counts follow a straight line; outside them, the nearest shape's ratios.
SHAPES = ((25888, 1904, 121), (500000, 38000, 2850))
SYNTHETIC_PREFIX = "9"
SYLLABLES = "安宝长城丰福高广和华黄吉江金景康乐龙茂梅明南平青清庆仁荣山胜石双顺泰桃天田新兴阳永云中"

# Each copied table: (model, the lookup from it to its village through a parent, if any).
COPIED = (
    (IncomeReport, None),
    (Fund, None),
    (FundBalance, Fund),
    (Asset, None),
    (Resource, None),
    (Contract, None),
    (ContractPayment, Contract),
    (Revitalisation, None),
    (Clue, None),
)
# Income amounts are scaled per village (by a factor drawn from the seed) so the copies differ.
SCALED_INCOME = ("operating_revenue", "contracting_revenue", "investment_income", "subsidy_income", "other_income")


@dataclass
class Built:
    counties: int
    townships: int
    villages: int
    reused: bool


def _name(rng: random.Random, suffix: str) -> str:
    return "".join(rng.choices(SYLLABLES, k=2)) + suffix


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(v) for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _reset_sequence(cursor, model) -> None:
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def _copy_select(model, parent, offsets: dict) -> str:
    """INSERT … SELECT of one table: every row of a template village once per synthetic copy of it.

    Ids are the template row's id + k × (the table's id span), k being the copy's number, so a
    child's foreign key to a copied parent is shifted the same way without a lookup.
    """
    table = model._meta.db_table
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.GeneratedField):
            continue
        column = f"t.{field.column}"
        target = field.remote_field.model if field.is_relation else None
        if field.primary_key:
            value = f"{column} + m.k * {offsets[model]}"
        elif target is Village:
            value = "m.new_id"
        elif target in offsets:
            value = f"{column} + m.k * {offsets[target]}"
        elif model is Clue and field.name == "code":
            # The real codes' shape (XS + county + year + number), unique by the new id; 8 digits
            # because LPAD truncates.
            new_id = f"(t.id + m.k * {offsets[model]})"
            value = f"'XS' || c.code || EXTRACT(YEAR FROM t.found_on)::int || LPAD({new_id}::text, 8, '0')"
        elif model is IncomeReport and field.name in SCALED_INCOME:
            value = f"ROUND({column} * m.factor, 2)"
        else:
            value = column
        columns.append(field.column)
        values.append(value)
    if parent is None:
        source = f"{table} t JOIN bench_map m ON t.village_id = m.src_id"
    else:
        fk = next(f.column for f in model._meta.concrete_fields if f.is_relation and f.remote_field.model is parent)
        source = (
            f"{table} t JOIN {parent._meta.db_table} p ON t.{fk} = p.id JOIN bench_map m ON p.village_id = m.src_id"
        )
    if model is Clue:
        source += (
            f" JOIN {Village._meta.db_table} v ON v.id = m.new_id"
            f" JOIN {Township._meta.db_table} tw ON tw.id = v.township_id"
            f" JOIN {County._meta.db_table} c ON c.id = tw.county_id"
        )
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"


def division_counts(villages: int) -> tuple[int, int]:
    """Townships and counties in all for `villages` villages in all (see SHAPES)."""
    below = [shape for shape in SHAPES if shape[0] <= villages]
    above = [shape for shape in SHAPES if shape[0] >= villages]
    if below and above:
        low, high = below[-1], above[0]
        share = (villages - low[0]) / (high[0] - low[0]) if high[0] > low[0] else 0
        return tuple(round(a + share * (b - a)) for a, b in zip(low[1:], high[1:], strict=True))
    nearest = below[-1] if below else above[0]
    return tuple(round(n * villages / nearest[0]) for n in nearest[1:])


def synthetic_divisions(
    *, villages: int, seed: int, templates: list[int], existing: tuple[int, int, int], first_ids: tuple[int, int, int]
) -> tuple[list, list, list, list]:
    """The rows to COPY: counties, townships, villages and the map (new village, template village,
    copy number, income factor). Only the seed decides them."""
    rng = random.Random(seed)
    n_existing_counties, n_existing_townships, n_existing_villages = existing
    county_id, township_id, village_id = first_ids
    wanted_townships, wanted_counties = division_counts(villages)
    n_counties = max(1, wanted_counties - n_existing_counties)
    n_townships = max(n_counties, wanted_townships - n_existing_townships)
    n_villages = villages - n_existing_villages
    counties = [(county_id + i, f"{SYNTHETIC_PREFIX}{i + 1:05d}", _name(rng, "县")) for i in range(n_counties)]
    townships = []
    for i in range(n_townships):
        cid, ccode, _ = counties[i % n_counties]
        townships.append((township_id + i, cid, f"{ccode}{i // n_counties + 1:03d}", _name(rng, "镇")))
    order = templates[:]
    rng.shuffle(order)
    village_rows, map_rows, per_town = [], [], [0] * n_townships
    for j in range(n_villages):
        t = j % n_townships
        per_town[t] += 1
        tid, _, tcode, _ = townships[t]
        # The village segment starts with 2: a 村 (0 would be a 社区).
        village_rows.append((village_id + j, tid, f"{tcode}{199 + per_town[t]:03d}", _name(rng, "村")))
        factor = rng.randint(80, 125) / 100
        map_rows.append((village_id + j, order[j % len(order)], j // len(order) + 1, factor))
    return counties, townships, village_rows, map_rows


def bench_data_build(*, villages: int, seed: int = 2024, log=print) -> Built:
    """Grow the database (Loudi's divisions and demo data already seeded) to `villages` villages."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench_data 只支持 PostgreSQL(COPY)。请设置 DATABASE_URL。")
    existing = Village.objects.count()
    synthetic = Village.objects.filter(code__startswith=SYNTHETIC_PREFIX).count()
    if existing >= villages:
        return Built(County.objects.count(), Township.objects.count(), existing, reused=True)
    if synthetic:
        raise RuntimeError(f"数据库已有 {existing} 个村(含合成村),少于 {villages}:请换一个新数据库生成。")
    templates = list(Village.objects.order_by("code").values_list("id", flat=True))
    if not templates or not IncomeReport.objects.exists():
        raise RuntimeError("请先运行 seed_demo(真实区划与演示数据是复制的模板)。")

    with transaction.atomic(), connection.cursor() as cursor:
        plan = synthetic_divisions(
            villages=villages,
            seed=seed,
            templates=templates,
            existing=(County.objects.count(), Township.objects.count(), existing),
            first_ids=tuple(_next_id(cursor, m._meta.db_table) for m in (County, Township, Village)),
        )
        counties, townships, village_rows, map_rows = plan
        n_counties, n_townships, n_villages = len(counties), len(townships), len(village_rows)
        _copy(cursor, County._meta.db_table, ["id", "code", "name"], counties)
        _copy(cursor, Township._meta.db_table, ["id", "county_id", "code", "name"], townships)
        _copy(cursor, Village._meta.db_table, ["id", "township_id", "code", "name"], village_rows)
        log(f"区划:合成县 {n_counties} 个、乡镇 {n_townships} 个、村 {n_villages} 个(COPY)")

        cursor.execute("DROP TABLE IF EXISTS bench_map")
        cursor.execute(
            "CREATE TEMP TABLE bench_map (new_id bigint, src_id bigint, k int, factor numeric) ON COMMIT DROP"
        )
        _copy(cursor, "bench_map", ["new_id", "src_id", "k", "factor"], map_rows)
        cursor.execute("CREATE INDEX ON bench_map (src_id)")
        cursor.execute("ANALYZE bench_map")
        offsets = {model: _next_id(cursor, model._meta.db_table) for model, _ in COPIED}
        for model, parent in COPIED:
            cursor.execute(_copy_select(model, parent, offsets))
            log(f"{model._meta.verbose_name}:复制 {cursor.rowcount} 行")
            _reset_sequence(cursor, model)

        # Every county needs its share of each year's targets; a synthetic one gets a copy of the
        # first Loudi county's allocation.
        first = County.objects.exclude(code__startswith=SYNTHETIC_PREFIX).order_by("code").first()
        ct = CountyTarget._meta.db_table
        columns = [f.column for f in CountyTarget._meta.concrete_fields if f.name not in ("id", "county")]
        cursor.execute(
            f"INSERT INTO {ct} (county_id, {', '.join(columns)}) "
            f"SELECT c.id, {', '.join('t.' + c for c in columns)} FROM {ct} t "
            f"CROSS JOIN {County._meta.db_table} c WHERE t.county_id = %s AND c.code LIKE %s",
            [first.pk, SYNTHETIC_PREFIX + "%"],
        )
        for model in (County, Township, Village):
            _reset_sequence(cursor, model)
    with connection.cursor() as cursor:
        for model, _ in COPIED:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        for model in (County, Township, Village):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return Built(County.objects.count(), Township.objects.count(), Village.objects.count(), reused=False)
