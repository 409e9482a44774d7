from django.core.management.base import BaseCommand

from villages.services import divisions_load


class Command(BaseCommand):
    help = "导入娄底市区划(5 个县市区、89 个乡镇街道、2,107 个村社区)。重复执行不会改变数据。"

    def handle(self, *args, **options):
        result = divisions_load()
        self.stdout.write(self.style.SUCCESS(f"区划导入完成:{result}"))
