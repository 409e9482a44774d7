import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from loudi_portal.bench_data import bench_data_build
from villages.models import Village


class Command(BaseCommand):
    help = "生成性能基准数据(PostgreSQL):在真实区划与演示数据之外加合成县、乡镇、村,每村复制一个真实村的三年收入、三资与线索。"

    def add_arguments(self, parser):
        parser.add_argument("--villages", type=int, required=True, help="村(社区)总数,例如 25888")
        parser.add_argument("--seed", type=int, default=2024, help="随机种子(同一种子生成同样的数据)")

    def handle(self, *args, villages, seed, **options):
        started = time.monotonic()
        if not Village.objects.exists():
            call_command("seed_demo", stdout=self.stdout)
        try:
            built = bench_data_build(villages=villages, seed=seed, log=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        verb = "沿用已有数据" if built.reused else "已生成"
        self.stdout.write(
            f"{verb}:{built.counties} 个县市区、{built.townships} 个乡镇、{built.villages} 个村(社区)"
            f"({time.monotonic() - started:.1f} 秒)"
        )
