from django.core.management.base import BaseCommand

from loudi_portal.xlsx import upload_previews_purge


class Command(BaseCommand):
    help = "删除已过期、未确认的上传文件(导入预览)。Celery beat 每天也会执行一次。"

    def handle(self, *args, **options):
        self.stdout.write(f"已删除过期的上传文件 {upload_previews_purge()} 个。")
