"""Benchmark: prints figures, asserts nothing (`make bench`).

Builds or reuses one PostgreSQL database per size (bench_loudi: Loudi's 2,107 villages and the demo
data; bench_hunan: 25,888 villages; bench_national: 500,000, only with --national) with
`bench_data`, then measures on each: the hot pages of every role, the year-end acceptance and the
acceptance workbook. Each operation runs three times; the table shows the median, the SQL query
count, the peak Python memory (tracemalloc, in a fourth run so tracing does not slow the timed
ones), the page size, and the ratio to its limit:

- acceptance: the bare SQL aggregate of the same figures, timed in the same run (target ≤ 3×);
- workbook: a bare openpyxl write-only loop over the same village rows (target ≤ 1.5×);
- pages: 300 ms and 500 KB, or 1 s beyond 100,000 villages;
- the income import of one row per village (the `import_incomes` path: the guarded reader, the
  checks, the save), in a transaction rolled back after each run: 10 s.

Pages whose figures are kept in the cache (dashboards, 整改率, contract warnings) are measured three
times: as users get them while the data is unchanged; "· 重算" as the figures computed again after a
write (every app's data version bumped before each run, outside the timing), the Celery task's work
or, with no worker, the reader's; and "· 写后首看" as the first reader after a write gets the page
with a worker (the last figures while the task is queued).
"""

from __future__ import annotations

import contextlib
import io
import logging
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

import psycopg2
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from openpyxl import Workbook

from incentives import services as incentives_services
from incentives.models import AcceptanceVillageResult
from incentives.workbook import acceptance_workbook_write
from loudi_portal import data_versions
from loudi_portal.bench_data import bench_data_build
from villages import excel as income_excel
from villages import services as village_services
from villages.models import Village
from villages.scope import scope_for

YEAR = 2024
SIZES = {"loudi": 2107, "hunan": 25888, "national": 500000}
PAGE_MS, PAGE_KB, BIG_PAGE_MS, BIG = 300, 500, 1000, 100000
ACCEPTANCE_RATIO, WORKBOOK_RATIO = 3, 1.5
IMPORT_YEAR, IMPORT_LIMIT_S = 2025, 10
PAGES = [
    ("town-431302001", "/income/?year=2024", "乡镇填报表(12 村)"),
    ("county-431322", "/income/?year=2024", "县级审核列表(新化县)"),
    ("city", "/income/?year=2024", "全市收入列表"),
    ("city", "/dashboard/?year=2024", "市级看板"),
    ("county-431322", "/dashboard/county/431322/?year=2024", "县级看板(新化县)"),
    ("city", "/rectification/clues/", "问题线索列表(全市)"),
    ("city", "/rectification/inspections/", "检查列表(全市)"),
    ("city", "/rectification/rates/", "整改率"),
    ("city", "/rectification/rates/?county=431322", "整改率(新化县乡镇)"),
    ("city", "/assets/", "资产台账(全市)"),
    ("city", "/assets/contracts/", "合同台账(全市)"),
    ("city", "/assets/warnings/", "合同预警(全市)"),
    ("county-431322", "/assets/warnings/", "合同预警(新化县)"),
]
# Paths of the pages kept in the cache under the data's versions (loudi_portal/data_versions.py).
CACHED_PATHS = ("/dashboard/", "/rectification/rates/", "/assets/warnings/")

# The acceptance's figures in one statement: the limit the computation is compared with.
BARE_AGGREGATE = """
SELECT c.code,
       COUNT(*) AS villages,
       COUNT(r.id) FILTER (WHERE r.status = 'approved') AS approved,
       COUNT(r.id) FILTER (WHERE r.status = 'draft') AS draft,
       COUNT(r.id) FILTER (WHERE r.status = 'submitted') AS submitted,
       COUNT(r.id) FILTER (WHERE r.status = 'approved' AND r.total_income >= 50000) AS clear,
       COUNT(r.id) FILTER (WHERE r.status = 'approved' AND r.operating_income >= 100000) AS share,
       COUNT(r.id) FILTER (WHERE r.status = 'approved' AND r.operating_income >= 500000) AS count_500k,
       COUNT(r.id) FILTER (WHERE r.status = 'approved' AND r.operating_income >= 1000000) AS count_1m,
       SUM(r.total_income) FILTER (WHERE r.status = 'approved') AS sum_total,
       AVG(r.total_income) FILTER (WHERE r.status = 'approved') AS avg_total,
       SUM(r.operating_income) FILTER (WHERE r.status = 'approved') AS sum_operating
FROM villages_village v
JOIN villages_township t ON t.id = v.township_id
JOIN villages_county c ON c.id = t.county_id
LEFT JOIN villages_incomereport r ON r.village_id = v.id AND r.year = %s
GROUP BY ROLLUP (c.code)
"""


@dataclass
class Figure:
    size: str
    label: str
    seconds: float
    queries: int | None = None
    peak_mb: float | None = None
    kb: float | None = None
    limit: str = ""
    ratio: float | None = None


def _measure(fn, *, runs: int = 3, prepare=None) -> tuple[float, int, float]:
    """Median seconds of `runs` calls, the query count of the last, and the peak Python memory of
    one extra traced call; `prepare` runs untimed before each call."""
    prepare = prepare or (lambda: None)
    times, queries = [], 0
    for _ in range(runs):
        prepare()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    prepare()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), queries, peak / 2**20


def _use_database(name: str) -> None:
    """Point the default connection at database `name`, creating it from bench_loudi (or empty)."""
    connection.close()
    settings = connection.settings_dict
    params = {"host": settings["HOST"] or None, "port": settings["PORT"] or None, "user": settings["USER"] or None}
    if settings["PASSWORD"]:
        params["password"] = settings["PASSWORD"]
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_%%'")
        existing = {row[0] for row in cursor.fetchall()}
        if name not in existing:
            template = " TEMPLATE bench_loudi" if "bench_loudi" in existing else ""
            cursor.execute(f'CREATE DATABASE "{name}"{template}')
    admin.close()
    settings["NAME"] = name
    # Cached pages (dashboards, 整改率, warnings) are keyed by data versions, not by database: a
    # page cached on the previous size would be served as this size's (the national 整改率 came
    # out as Loudi's 12 KB). Measure each size from an empty cache, warmed by its own first view.
    cache.clear()


def _pages(size: str, villages: int, only: str = "") -> list[Figure]:
    User = get_user_model()
    limit_ms = BIG_PAGE_MS if villages > BIG else PAGE_MS
    figures = []
    for username, url, label in PAGES:
        if only and only not in label:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        status = client.get(url).status_code  # warm caches
        if status != 200:
            figures.append(Figure(size, f"{label} HTTP {status}", 0))
            continue
        ways = [(label, None, False)]
        if url.startswith(CACHED_PATHS):
            bump = lambda: data_versions.bump(*data_versions.TRACKED_APPS)  # noqa: E731
            ways += [(f"{label} · 重算", bump, False), (f"{label} · 写后首看", bump, True)]
        for name, prepare, with_worker in ways:
            sizes = []
            with _worker_elsewhere() if with_worker else contextlib.nullcontext():
                seconds, queries, peak = _measure(
                    lambda c=client, u=url, s=sizes: s.append(len(c.get(u).content)), prepare=prepare
                )
            figures.append(
                Figure(
                    size, name, seconds, queries, peak, sizes[-1] / 1024, f"{limit_ms} ms", seconds * 1000 / limit_ms
                )
            )
    return figures


@contextlib.contextmanager
def _worker_elsewhere():
    """As on a server with a Celery worker: what a reader waits for after a write, while the task
    that computes the new figures (timed as "· 重算") is queued, not run."""
    with (
        override_settings(FIGURES_RECOMPUTED_BY_WORKER=True),
        mock.patch.object(data_versions, "_queue", lambda name, kwargs: None),
    ):
        yield


def _acceptance(size: str) -> list[Figure]:
    city = get_user_model().objects.get(username="city")

    def compute():
        run = incentives_services.acceptance_start(year=YEAR, user=city, enqueue=False)
        incentives_services.acceptance_compute(run_id=run.pk)
        compute.run = run

    def bare_sql():
        with connection.cursor() as cursor:
            cursor.execute(BARE_AGGREGATE, [YEAR])
            cursor.fetchall()

    limit, _, _ = _measure(bare_sql)
    seconds, queries, peak = _measure(compute)
    run = compute.run
    run.refresh_from_db()
    scope = scope_for(city)

    def workbook():
        acceptance_workbook_write(run=run, scope=scope, output=io.BytesIO())

    def bare_workbook():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("村级明细")
        # The columns the acceptance had before it kept report status and last year's total: the
        # same baseline as earlier figures.
        fields = [
            f.name
            for f in AcceptanceVillageResult._meta.concrete_fields
            if f.name not in ("id", "run", "report_status", "previous_total_income")
        ]
        for row in AcceptanceVillageResult.objects.filter(run=run).values_list(*fields).iterator(chunk_size=2000):
            sheet.append(row)
        book.save(io.BytesIO())

    bare_seconds, _, bare_peak = _measure(bare_workbook)
    wb_seconds, wb_queries, wb_peak = _measure(workbook)
    return [
        Figure(size, "验收计算 · SQL 聚合(限值)", limit),
        Figure(size, "验收计算", seconds, queries, peak, None, f"{ACCEPTANCE_RATIO}× SQL", seconds / limit),
        Figure(size, "验收工作簿 · 裸 openpyxl(限值)", bare_seconds, None, bare_peak),
        Figure(
            size,
            "验收工作簿",
            wb_seconds,
            wb_queries,
            wb_peak,
            None,
            f"{WORKBOOK_RATIO}× openpyxl",
            wb_seconds / bare_seconds,
        ),
    ]


def _income_import(size: str) -> list[Figure]:
    """One row per village for IMPORT_YEAR, as an operator's workbook, read and saved as
    `import_incomes` does; each run is rolled back so the next one does the same work."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("收入")
    sheet.append(list(income_excel.COLUMNS))
    villages = Village.objects.order_by("code").values_list("code", "name")
    for number, (code, name) in enumerate(villages.iterator(chunk_size=5000)):
        # Numbers, as Excel stores what a clerk types in the template's money columns.
        amounts = [Decimal(60000 + number % 900000), Decimal(0), Decimal("3000.50"), Decimal(20000), Decimal(1200)]
        sheet.append([code, name, IMPORT_YEAR, *amounts, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    actor = village_services.system_actor()

    def run():
        parsed = income_excel.parse_income_workbook(content=content, filename="bench.xlsx", scope=None)
        if not parsed.ok:
            raise CommandError(f"导入基准的文件有误:{parsed.errors[0]}")
        with transaction.atomic():
            village_services.income_import(user=actor, rows=parsed.rows, source="bench.xlsx")
            transaction.set_rollback(True)

    seconds, queries, peak = _measure(run)
    label = f"收入导入({villages.count():,} 行)"
    return [
        Figure(
            size, label, seconds, queries, peak, len(content) / 1024, f"{IMPORT_LIMIT_S} s", seconds / IMPORT_LIMIT_S
        )
    ]


def _table(figures: list[Figure]) -> str:
    head = f"{'规模':<10}{'操作':<28}{'中位数':>10}{'查询':>6}{'峰值内存':>10}{'页面':>9}  {'限值':<12}{'比值':>6}"
    lines = [head, "-" * 96]
    for f in figures:
        seconds = f"{f.seconds * 1000:.0f} ms" if f.seconds < 10 else f"{f.seconds:.1f} s"
        lines.append(
            f"{f.size:<10}{f.label:<28}{seconds:>10}"
            f"{'' if f.queries is None else f.queries:>6}"
            f"{'' if f.peak_mb is None else f'{f.peak_mb:.1f} MB':>10}"
            f"{'' if f.kb is None else f'{f.kb:.0f} KB':>9}  {f.limit:<12}"
            f"{'' if f.ratio is None else f'{f.ratio:.2f}':>6}"
        )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "性能基准(PostgreSQL):按规模生成或沿用数据,打印热点页面、年终验收与工作簿的耗时、查询数、内存、页面大小及与限值之比。"

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="loudi,hunan", help="逗号分隔:loudi、hunan(全国规模用 --national)")
        parser.add_argument("--national", action="store_true", help="另测全国规模(500,000 村,生成需较长时间)")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--only", default="", help="只测名称含此文字的操作,例如 合同预警;“验收”只测验收与工作簿")

    def handle(self, *args, sizes, national, seed, only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark 需要 PostgreSQL:设置 DATABASE_URL=postgres://…(make bench 已默认)。")
        names = [s for s in sizes.split(",") if s] + (["national"] if national else [])
        unknown = [s for s in names if s not in SIZES]
        if unknown:
            raise CommandError(f"未知规模:{'、'.join(unknown)}。可选:{'、'.join(SIZES)}")
        # Each test client login is logged by django-axes; the table is what matters here.
        logging.getLogger("axes").setLevel(logging.WARNING)
        figures = []
        # Loudi first: it is the template the bigger databases are copied from.
        for size in sorted(names, key=SIZES.get):
            _use_database(f"bench_{size}")
            call_command("migrate", verbosity=0)
            if not Village.objects.exists():
                call_command("seed_demo", stdout=io.StringIO())
            started = time.perf_counter()
            built = bench_data_build(villages=SIZES[size], seed=seed, log=lambda _: None)
            how = "沿用" if built.reused else "生成"
            self.stdout.write(
                f"{size}: {how} {built.counties} 县、{built.townships} 乡镇、{built.villages} 村"
                f"({time.perf_counter() - started:.1f} s)"
            )
            figures += _pages(size, built.villages, only)
            if not only or only in "收入导入":
                figures += _income_import(size)
            if not only or only in "验收计算 验收工作簿":
                figures += _acceptance(size)
        self.stdout.write(_table(figures))
