"""Benchmark: prints figures, asserts nothing. `make bench` runs it on a scratch SQLite database;
set DATABASE_URL to measure PostgreSQL.

Measures: seed_demo's time, the hot pages' SQL query counts and server times for each role, the
year-end acceptance computation, and the acceptance workbook's time and peak Python memory.
"""

import io
import time
import tracemalloc

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incentives import services as incentives_services
from incentives.workbook import acceptance_workbook_write
from villages.scope import scope_for

YEAR = 2024
PAGES = [
    ("town-431302001", "/income/?year=2024", "乡镇填报表(12 村)"),
    ("county-431322", "/income/?year=2024", "县级审核列表(新化县 695 村)"),
    ("city", "/income/?year=2024", "全市收入列表(2107 村)"),
    ("city", "/dashboard/?year=2024", "市级看板"),
    ("county-431322", "/dashboard/county/431322/?year=2024", "县级看板(新化县)"),
    ("city", "/rectification/clues/", "问题线索列表(全市)"),
    ("city", "/rectification/rates/", "整改率"),
    ("city", "/assets/", "资产台账(全市)"),
    ("city", "/assets/contracts/", "合同台账(全市)"),
    ("city", "/assets/warnings/", "合同预警(全市)"),
]


def line(label: str, value: str) -> None:
    print(f"{label:<34}{value}")


class Command(BaseCommand):
    help = "性能基准:打印演示数据生成、热点页面查询数与耗时、年终验收计算与工作簿导出的数据。"

    def handle(self, *args, **options):
        main()


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    line("seed_demo", f"{time.perf_counter() - started:.1f} s")

    User = get_user_model()
    for username, url, label in PAGES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(url)  # warm caches
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        line(label, f"HTTP {response.status_code}, {len(queries)} queries, {elapsed * 1000:.0f} ms")

    city = User.objects.get(username="city")
    run = incentives_services.acceptance_start(year=YEAR, user=city, enqueue=False)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        incentives_services.acceptance_compute(run_id=run.pk)
        elapsed = time.perf_counter() - started
    line(f"acceptance {YEAR} (2107 villages)", f"{elapsed:.2f} s, {len(queries)} queries")

    run.refresh_from_db()
    buffer = io.BytesIO()
    tracemalloc.start()
    started = time.perf_counter()
    acceptance_workbook_write(run=run, scope=scope_for(city), output=buffer)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    line("acceptance workbook", f"{elapsed:.2f} s, {len(buffer.getvalue()) / 1024:.0f} KB, peak {peak / 2**20:.1f} MiB")
