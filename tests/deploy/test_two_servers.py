"""Two app servers, one PostgreSQL, one Redis, one S3-compatible store: nothing lives on one server.

Each gunicorn gets its own media and temporary folders, so a file kept on a server's disk would not
be found by the other. A preview uploaded on one server is confirmed on the other; an evidence file uploaded on one
downloads from the other. Needs PostgreSQL (DATABASE_URL or TWO_SERVERS_DATABASE_URL) and Redis
(REDIS_URL or CELERY_BROKER_URL): skipped without them on a laptop, required in CI (.ci/run).
"""

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from openpyxl import load_workbook

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SETUP = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from rectification.models import Clue, ClueCategory, ClueSource
from villages.models import Official, Role, Township, Village
township = Township.objects.get(code="431302001")
clerk = get_user_model().objects.create_user("town-431302001", password="two-servers-123")
Official.objects.create(user=clerk, role=Role.TOWNSHIP_CLERK, township=township)
clue = Clue.objects.create(
    code="TWO-SERVERS-1", source=ClueSource.PUBLIC, category=ClueCategory.values[0],
    village=Village.objects.filter(township=township).first(), description="两台服务器的检查",
    responsible_person="张三", deadline=timezone.localdate() + timedelta(days=30), created_by=clerk,
)
# Income is entered only while the year's 填报期 is open.
from villages.services import reporting_period_set, system_actor
today = timezone.localdate()
reporting_period_set(
    user=system_actor(), year=2025, opens_on=today - timedelta(days=30),
    entry_deadline=today + timedelta(days=30), review_deadline=today + timedelta(days=45),
)
print("CLUE", clue.pk)
"""


def _urls() -> tuple[str, str]:
    database = os.environ.get("TWO_SERVERS_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    redis = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL", "")
    if not database.startswith("postgres") or not redis.startswith("redis"):
        if IN_CI:
            pytest.fail("CI 必须提供 PostgreSQL(DATABASE_URL)和 Redis(REDIS_URL 或 CELERY_BROKER_URL)。")
        pytest.skip("需要 PostgreSQL 和 Redis:跳过两台应用服务器的检查。")
    return database, redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, seconds: float = 120) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def _psql(admin_url: str, sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def _login(base: str, username: str, password: str):
    import requests

    session = requests.Session()
    session.get(f"{base}/accounts/login/")
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


@pytest.fixture
def two_servers(tmp_path):
    import boto3

    database_url, redis_url = _urls()
    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/') or 'portal'}_two_servers"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(admin_url, f'CREATE DATABASE "{name}"')
    s3_port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "AWS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="loudi_portal.settings",
        DJANGO_DEBUG="0",
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")),
        REDIS_URL=redis_url.rsplit("/", 1)[0] + "/13",
        AWS_STORAGE_BUCKET_NAME="evidence",
        AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{s3_port}",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="two-servers",
        AWS_SECRET_ACCESS_KEY="two-servers",
    )
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [BIN / "moto_server", "-H", "127.0.0.1", "-p", str(s3_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "load_divisions"], cwd=ROOT, env=env, check=True, capture_output=True)
        setup = subprocess.run(
            [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        clue_id = int(re.search(r"CLUE (\d+)", setup.stdout).group(1))
        _wait(env["AWS_S3_ENDPOINT_URL"])
        boto3.client(
            "s3",
            endpoint_url=env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="two-servers",
            aws_secret_access_key="two-servers",
        ).create_bucket(Bucket="evidence")
        bases = []
        for server in ("a", "b"):
            port = _free_port()
            media, scratch = tmp_path / f"media-{server}", tmp_path / f"tmp-{server}"
            media.mkdir()
            scratch.mkdir()
            processes.append(
                subprocess.Popen(
                    [BIN / "gunicorn", "loudi_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                    cwd=ROOT,
                    env={**env, "DJANGO_MEDIA_ROOT": str(media), "TMPDIR": str(scratch)},
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            _wait(f"{base}/accounts/login/")
        yield {"bases": bases, "clue_id": clue_id, "media": [tmp_path / "media-a", tmp_path / "media-b"]}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_preview_and_an_evidence_file_cross_servers(two_servers):
    a, b = two_servers["bases"]
    clerk = _login(a, "town-431302001", "two-servers-123")

    # The preview is uploaded on server A …
    template = clerk.get(f"{a}/income/template/", params={"township": "431302001", "year": 2025})
    assert template.status_code == 200, template.text[:500]
    book = load_workbook(io.BytesIO(template.content))
    sheet = book.worksheets[0]
    for row in (2, 3):
        sheet.cell(row=row, column=4, value=81000)
        sheet.cell(row=row, column=7, value=15000)
    buffer = io.BytesIO()
    book.save(buffer)
    csrf = {"csrfmiddlewaretoken": clerk.cookies["csrftoken"]}
    preview = clerk.post(
        f"{a}/income/upload/", data=csrf, files={"file": ("乐坪街道.xlsx", buffer.getvalue())}, allow_redirects=False
    )
    assert preview.status_code == 302, preview.text[:2000]
    preview_path = preview.headers["Location"]
    assert re.fullmatch(r"/income/upload/[A-Za-z0-9_-]{16,64}/", preview_path)

    # … and confirmed on server B.
    confirm = clerk.post(f"{b}{preview_path}", data=csrf, allow_redirects=False)
    assert confirm.status_code == 302, confirm.text[:2000]
    drafts = clerk.get(f"{b}/api/incomes/", params={"year": 2025}).json()
    assert drafts["count"] == 2 and {r["status"] for r in drafts["results"]} == {"draft"}

    # An evidence file uploaded on A downloads from B (and from neither server's disk).
    clue_id = two_servers["clue_id"]
    added = clerk.post(
        f"{a}/rectification/clues/{clue_id}/evidence/",
        data={**csrf, "note": "整改照片"},
        files={"file": ("整改说明.pdf", PDF, "application/pdf")},
        allow_redirects=False,
    )
    assert added.status_code == 302, added.text[:2000]
    page = clerk.get(f"{b}/rectification/clues/{clue_id}/").text
    evidence_path = re.search(r'href="(/rectification/evidence/\d+/)', page).group(1)
    download = clerk.get(f"{b}{evidence_path}", params={"download": "1"})
    assert download.status_code == 200 and download.content == PDF
    assert not any(path.is_file() for media in two_servers["media"] for path in media.rglob("*"))
