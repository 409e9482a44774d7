import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from incentives.models import RunStatus
from incentives.services import acceptance_compute, acceptance_start
from loudi_portal.errors import refusal_text
from villages.services import system_actor


class Command(BaseCommand):
    help = "计算年度验收(新版本,与网页发起的计算相同,但在本进程中同步计算)。--json 输出结果。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度,例如 2024")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出验收结果")

    def handle(self, *args, year, json: bool = False, **options):
        try:
            run = acceptance_start(year=year, user=system_actor(), enqueue=False)
        except ValidationError as exc:
            raise CommandError(refusal_text(exc)) from exc
        run = acceptance_compute(run_id=run.pk)
        if run.status != RunStatus.DONE:
            raise CommandError(f"{run}:{run.error}")
        if json:
            self.stdout.write(_dumps(run.results))
            return
        results = run.results
        self.stdout.write(f"{run}(只计已审核的收入报告)")
        for unit in [results["city"], *results["counties"]]:
            t = unit["targets"]
            self.stdout.write(
                f"  {unit['name']}:{'达标' if unit['passed'] else '未达标'};低于清零线 {t['clearing']['actual']} 个,"
                f"10万元以上占比 {t['share_100k']['actual']}(要求 {t['share_100k']['required']}),"
                f"50万元以上 {t['count_500k']['actual']}/{t['count_500k']['required']},"
                f"100万元以上 {t['count_1m']['actual']}/{t['count_1m']['required']}"
                + (
                    ""
                    if unit["code"] == results["city"]["code"]
                    else f";奖补 {unit['reward']} 元,配套 {unit['matching']} 元"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"市级奖补合计 {results['rewards']['total']} 元(预算 {results['rewards']['budget']} 元)。"
            )
        )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
