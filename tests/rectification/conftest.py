"""Fixtures of the rectification tests: an inspection, clues in each state, evidence files."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from loudi_portal import clock
from rectification import services
from rectification.models import ClueCategory, ClueSource, InspectionKind
from villages.models import County, Village

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def office_bytes(kind: str) -> bytes:
    if kind == "xlsx":
        buffer = io.BytesIO()
        Workbook().save(buffer)
        return buffer.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence files of a test go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def today():
    return clock.today()


@pytest.fixture
def village(divisions):
    """A village of 乐坪街道 (the clerk's township, 娄星区)."""
    return Village.objects.select_related("township__county").filter(township__code="431302001").order_by("code")[1]


@pytest.fixture
def other_village(divisions):
    """A village of 上梅街道, 新化县 (other_clerk's township)."""
    return Village.objects.select_related("township__county").filter(township__code="431322001").first()


@pytest.fixture
def neighbour_village(divisions):
    """A village of 娄星区 outside 乐坪街道: same county as the clerk, another township."""
    return (
        Village.objects.select_related("township__county")
        .filter(township__county__code="431302")
        .exclude(township__code="431302001")
        .first()
    )


@pytest.fixture
def inspection(reviewer, divisions, today):
    """An unannounced visit by 娄星区 covering the whole county."""
    return services.inspection_create(
        user=reviewer,
        kind=InspectionKind.UNANNOUNCED,
        date=today - timedelta(days=3),
        unit="娄星区纪委监委暗访组",
        county=County.objects.get(code="431302"),
        findings="暗访发现合同和账务问题。",
    )


@pytest.fixture
def make_clue(reviewer, inspection, village, today):
    """make_clue(**overrides) -> a 待整改 clue found by the inspection in the clerk's township."""

    def _make(
        *, user=None, village_=None, deadline=None, amount="12000.00", category=ClueCategory.CONTRACT, inspection_=None
    ):
        found_by = inspection_ or inspection
        return services.clue_create(
            user=user or reviewer,
            source=ClueSource.UNANNOUNCED,
            inspection=found_by,
            data=services.ClueInput(
                village=village_ or village,
                category=category,
                description="鱼塘承包租金两年未收取",
                amount_involved=amount,
                responsible_person="村党支部书记",
                deadline=deadline or today + timedelta(days=30),
                found_on=found_by.date,
            ),
        )

    return _make


@pytest.fixture
def clue(make_clue):
    return make_clue()


@pytest.fixture
def started_clue(clue, clerk):
    return services.clue_start(clue=clue, user=clerk, measures="约谈承包户,限期缴清租金")


@pytest.fixture
def evidenced_clue(started_clue, clerk):
    services.clue_add_evidence(clue=started_clue, user=clerk, file=upload("收款凭证.pdf", PDF))
    return started_clue


@pytest.fixture
def awaiting_clue(evidenced_clue, clerk):
    return services.clue_request_acceptance(clue=evidenced_clue, user=clerk)


@pytest.fixture
def closed_clue(awaiting_clue, reviewer):
    return services.clue_close(clue=awaiting_clue, user=reviewer, note="整改到位")
