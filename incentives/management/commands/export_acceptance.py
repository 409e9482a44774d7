from django.core.management.base import BaseCommand, CommandError

from incentives.models import RunStatus
from incentives.selectors import latest_done_run, run_by_version
from incentives.workbook import acceptance_workbook_write
from villages.city import city_name
from villages.scope import city_wide


class Command(BaseCommand):
    help = "导出年度验收工作簿(默认为该年度最新完成的版本)。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度,例如 2024")
        parser.add_argument("--output", required=True, help="输出的 .xlsx 文件")
        parser.add_argument("--run", type=int, help="版本号(默认最新完成的版本)")

    def handle(self, *args, year, output, run=None, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError("输出文件应以 .xlsx 结尾。")
        if run is None:
            found = latest_done_run(year=year)
            if found is None:
                raise CommandError(f"{year} 年度没有已完成的验收,请先运行 run_acceptance 或在网页发起验收。")
        else:
            found = run_by_version(year=year, version=run)
            if found is None:
                raise CommandError(f"{year} 年度没有第 {run} 版验收。")
            if found.status != RunStatus.DONE:
                raise CommandError(f"{found}尚未完成(状态:{found.get_status_display()})。")
        # The server's operator exports the whole city.
        acceptance_workbook_write(run=found, scope=city_wide(city_name(), role=None), output=output)
        self.stdout.write(self.style.SUCCESS(f"已导出{found}到 {output}。"))
