import importlib
import importlib.util
import time

from django.core.management.base import BaseCommand

# Each app's demo data, in dependency order. An app's `demo.seed(stdout=...)` is idempotent.
DEMO_APPS = ("villages", "assets", "rectification", "incentives", "organisation")


class Command(BaseCommand):
    help = "创建演示数据与演示账号(密码 demo12345)。可重复执行。"

    def handle(self, *args, **options):
        for app in DEMO_APPS:
            if importlib.util.find_spec(f"{app}.demo") is None:
                continue
            started = time.monotonic()
            summary = importlib.import_module(f"{app}.demo").seed(stdout=self.stdout)
            self.stdout.write(f"[{app}] {summary}({time.monotonic() - started:.1f} 秒)")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
