"""Throughput of the income API under concurrent clients, measured against a running server.

    gunicorn loudi_portal.wsgi --workers 3 --bind 127.0.0.1:8000 &
    manage.py bench_api --url http://127.0.0.1:8000 --clients 16 --seconds 30

Each client is a township clerk (its own token) saving drafts of its own township's villages through
PATCH /api/incomes/<id>/ with the version it last read, as the income page does; so writes do not
conflict. Prints requests per second and latency percentiles; figures, not pass/fail.
"""

import http.client
import json
import statistics
import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from villages.models import IncomeReport, Official, Role, Township, Village
from villages.selectors import year_is_closed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "收入接口吞吐量测试(对已启动的服务器):多个乡镇填报员并发保存本乡镇村的草稿,输出每秒请求数与延迟分位数。"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="服务器地址")
        parser.add_argument("--clients", type=int, default=16, help="并发客户端数")
        parser.add_argument("--seconds", type=float, default=30, help="持续时间(秒)")
        parser.add_argument("--year", type=int, default=2025, help="写入的年度(须未关账)")
        parser.add_argument("--reads", action="store_true", help="改测读取:GET /api/incomes/?year=YEAR")

    def handle(self, *args, url, clients, seconds, year, reads, **options):
        if year_is_closed(year=year):
            raise CommandError(f"{year} 年已关账,请换一个年度。")
        workers = self._prepare(clients=clients, year=year)
        parts = urlsplit(url)
        stop = time.monotonic() + seconds
        results: list[list[tuple[int, float]]] = [[] for _ in workers]
        threads = [
            threading.Thread(target=self._client, args=(parts, token, reports, year, reads, stop, results[i]))
            for i, (token, reports) in enumerate(workers)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        samples = [s for chunk in results for s in chunk]
        ok = [latency for status, latency in samples if status == 200]
        failed: dict[int, int] = {}
        for status, _ in samples:
            if status != 200:
                failed[status] = failed.get(status, 0) + 1
        if not ok:
            raise CommandError(f"没有成功的请求:{failed}")
        what = "读取 GET /api/incomes/?year=" + str(year) if reads else "写入 PATCH /api/incomes/<id>/"
        self.stdout.write(
            f"{what}:{clients} 个客户端,{elapsed:.1f} 秒,成功 {len(ok)} 次,{len(ok) / elapsed:.1f} 次/秒;"
            f"延迟 p50 {statistics.median(ok) * 1000:.0f} ms,p95 {_percentile(ok, 0.95) * 1000:.0f} ms,"
            f"p99 {_percentile(ok, 0.99) * 1000:.0f} ms,最大 {max(ok) * 1000:.0f} ms;失败 {failed or '无'}"
        )

    def _prepare(self, *, clients: int, year: int) -> list[tuple[str, list[list]]]:
        """One clerk per township (the first townships by code), a token each, and a draft of every
        one of its villages for `year` (created once, reused by later runs)."""
        User = get_user_model()
        townships = list(Township.objects.order_by("code")[:clients])
        if len(townships) < clients:
            raise CommandError(f"只有 {len(townships)} 个乡镇,少于 {clients} 个客户端。")
        workers = []
        for township in townships:
            user, created = User.objects.get_or_create(username=f"bench-api-{township.code}")
            if created:
                user.set_unusable_password()
                user.save()
                Official.objects.create(user=user, role=Role.TOWNSHIP_CLERK, township=township)
            token, _ = Token.objects.get_or_create(user=user)
            villages = Village.objects.filter(township=township)
            missing = villages.exclude(income_reports__year=year)
            IncomeReport.objects.bulk_create([IncomeReport(village=v, year=year, updated_by=user) for v in missing])
            reports = [
                [pk, version]
                for pk, version in IncomeReport.objects.filter(village__in=villages, year=year).values_list(
                    "pk", "version"
                )
            ]
            workers.append((token.key, reports))
        return workers

    @staticmethod
    def _client(parts, token, reports, year, reads, stop, out) -> None:
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept": "application/json"}
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
        n = 0
        while time.monotonic() < stop:
            report = reports[n % len(reports)]
            n += 1
            if reads:
                method, path, body = "GET", f"/api/incomes/?year={year}", None
            else:
                amount = Decimal(100_000 + n) / 100
                method, path = "PATCH", f"/api/incomes/{report[0]}/"
                body = json.dumps({"version": report[1], "operating_revenue": str(amount)})
            began = time.monotonic()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
                out.append((0, time.monotonic() - began))
                continue
            out.append((response.status, time.monotonic() - began))
            if not reads and response.status in (200, 409):
                data = json.loads(payload)
                report[1] = data.get("version") or data.get("current_version") or report[1]
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
        connection.close()
