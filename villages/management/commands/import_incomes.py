from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from villages.excel import parse_income_workbook
from villages.services import income_import, system_actor


class Command(BaseCommand):
    help = (
        "从 Excel(与下载模板相同的列:区划代码、村(社区)、年度、经营收入、发包及上交收入、投资收益、补助收入、"
        "其他收入、备注)导入村级集体经济收入。文件有任何错误则列出全部错误、不保存任何数据,退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只校验,不保存")
        parser.add_argument("--approve", action="store_true", help="导入为已审核(用于补录往年数据)")

    def handle(self, *args, file, dry_run, approve, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件:{path}")
        parsed = parse_income_workbook(content=path.read_bytes(), filename=path.name, scope=None, approve=approve)
        if not parsed.ok:
            for error in parsed.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path.name} 有 {len(parsed.errors)} 处错误,未导入任何数据。")
        counts = parsed.counts()
        summary = (
            f"新增 {counts['created']} 份,更新 {counts['updated']} 份,未变 {counts['unchanged']} 份,"
            f"未填金额的行跳过 {parsed.skipped} 行"
        )
        if dry_run:
            self.stdout.write(f"校验通过(未保存,--dry-run):{summary}。")
            return
        try:
            result = income_import(user=system_actor(), rows=parsed.rows, approve=approve, source=path.name)
        except ValidationError as exc:  # a Conflict too
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("导入失败,未保存任何数据。") from exc
        state = "已审核" if approve else "草稿"
        self.stdout.write(self.style.SUCCESS(f"已导入({state}):{result}。"))
