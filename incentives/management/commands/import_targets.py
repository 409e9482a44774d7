from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from incentives.importers import COLUMNS, read_targets_sheet
from incentives.services import target_plan_import
from villages.city import CITY_CODE
from villages.services import system_actor


class Command(BaseCommand):
    help = (
        "从 Excel 导入年度目标任务分解(一个工作表,列:" + "、".join(COLUMNS) + f";{CITY_CODE} 行为全市,其余为县市区)。"
        "文件有任何错误时一条也不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--year", type=int, required=True, help="年度,例如 2024")

    def handle(self, *args, file, year, **options):
        sheet = read_targets_sheet(file)
        if sheet.valid:
            try:
                plan = target_plan_import(year=year, rows=sheet.rows, user=system_actor())
            except ValidationError as exc:
                sheet.errors.extend(exc.messages)
        if not sheet.valid:
            raise CommandError(
                f"导入失败,共 {len(sheet.errors)} 处错误,未导入任何数据:\n"
                + "\n".join(f"  - {e}" for e in sheet.errors)
            )
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {plan.year} 年度目标任务:全市及 {len(sheet.rows) - 1} 个县市区。")
        )
