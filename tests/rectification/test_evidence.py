"""Evidence files: type whitelist checked by extension and content, 10 MB, nothing saved on refusal,
served only to users whose scope covers the clue."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rectification import services
from rectification.models import ClueEvidence
from tests.checks import page_refused

from .conftest import JPG, PDF, PNG, office_bytes, upload

pytestmark = pytest.mark.django_db


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("报告.pdf", PDF),
        ("现场照片.JPG", JPG),
        ("照片.jpeg", JPG),
        ("截图.png", PNG),
        ("说明.docx", office_bytes("docx")),
        ("台账.xlsx", office_bytes("xlsx")),
    ],
)
def test_allowed_types_are_stored_under_media_root(started_clue, clerk, media_root, name, content):
    evidence = services.clue_add_evidence(clue=started_clue, user=clerk, file=upload(name, content), note="说明")
    assert evidence.original_name == name
    assert evidence.size == len(content)
    path = media_root / evidence.file.name
    assert path.read_bytes() == content
    # The stored name is random, never the uploader's.
    assert name not in evidence.file.name and evidence.file.name.startswith(
        f"rectification/evidence/{started_clue.pk}/"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("程序.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("脚本.html", b"<script>", "不支持的文件类型"),
        ("无扩展名", PDF, "不支持的文件类型"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名"),
        ("伪装.png", JPG, "内容与扩展名"),
        ("伪装.jpg", PNG, "内容与扩展名"),
        ("伪装.docx", office_bytes("xlsx"), "内容与扩展名"),
        ("伪装.xlsx", b"PK\x03\x04 broken zip", "内容与扩展名"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_saved(started_clue, clerk, media_root, name, content, message):
    history_before = started_clue.history.count()
    with pytest.raises(ValidationError, match=message):
        services.clue_add_evidence(clue=started_clue, user=clerk, file=upload(name, content))
    assert not ClueEvidence.objects.exists()
    assert stored_files(media_root) == []
    assert started_clue.history.count() == history_before


def test_evidence_over_10_mb_is_refused(started_clue, clerk, media_root, settings):
    content = PDF + b"0" * settings.UPLOAD_MAX_BYTES
    with pytest.raises(ValidationError, match="超过"):
        services.clue_add_evidence(clue=started_clue, user=clerk, file=upload("大文件.pdf", content))
    assert not ClueEvidence.objects.exists()
    assert stored_files(media_root) == []


def test_exactly_10_mb_is_accepted(started_clue, clerk, settings):
    content = PDF + b"0" * (settings.UPLOAD_MAX_BYTES - len(PDF))
    evidence = services.clue_add_evidence(clue=started_clue, user=clerk, file=upload("刚好.pdf", content))
    assert evidence.size == settings.UPLOAD_MAX_BYTES


@pytest.mark.parametrize("who", ["reviewer", "other_clerk", "city_user"])
def test_only_the_clerk_uploads(request, who, started_clue, media_root):
    with pytest.raises(PermissionDenied):
        services.clue_add_evidence(clue=started_clue, user=request.getfixturevalue(who), file=upload("a.pdf", PDF))
    assert stored_files(media_root) == []


def test_bad_upload_through_the_page_saves_nothing(login, clerk, started_clue, media_root):
    response = login(clerk).post(
        reverse("rectification:clue_evidence_add", args=[started_clue.pk]), {"file": upload("病毒.exe", b"MZ")}
    )
    assert response.status_code == 400
    assert "不支持的文件类型" in response.content.decode()
    assert not ClueEvidence.objects.exists()
    assert stored_files(media_root) == []


def test_upload_through_the_page(login, clerk, started_clue):
    response = login(clerk).post(
        reverse("rectification:clue_evidence_add", args=[started_clue.pk]),
        {"file": upload("凭证.pdf", PDF), "note": "收据"},
    )
    assert response.status_code == 302
    assert started_clue.evidence.get().note == "收据"


@pytest.mark.parametrize("who", ["clerk", "reviewer", "city_user", "agri_user"])
def test_evidence_is_served_inside_the_scope(request, login, who, evidenced_clue):
    evidence = evidenced_clue.evidence.get()
    response = login(request.getfixturevalue(who)).get(reverse("rectification:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["other_clerk", "other_reviewer", "neighbour_clerk"])
def test_evidence_outside_the_scope_is_404(request, login, make_user, who, evidenced_clue, neighbour_village):
    if who == "neighbour_clerk":
        user = make_user("township_clerk", township=neighbour_village.township.code)
    else:
        user = request.getfixturevalue(who)
    evidence = evidenced_clue.evidence.get()
    client = login(user)
    page_refused(client.get(reverse("rectification:evidence_download", args=[evidence.pk])), 404)
    page_refused(client.post(reverse("rectification:evidence_delete", args=[evidence.pk])), 404)
    assert ClueEvidence.objects.filter(pk=evidence.pk).exists()


def test_evidence_is_not_a_public_media_url(client, evidenced_clue):
    evidence = evidenced_clue.evidence.get()
    assert client.get(f"/media/{evidence.file.name}").status_code in (302, 404)
    anonymous = client.get(reverse("rectification:evidence_download", args=[evidence.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_clerk_removes_evidence_and_its_file(
    login, clerk, evidenced_clue, media_root, django_capture_on_commit_callbacks
):
    evidence = evidenced_clue.evidence.get()
    path = media_root / evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = login(clerk).post(reverse("rectification:evidence_delete", args=[evidence.pk]))
    assert response.status_code == 302
    assert not ClueEvidence.objects.exists()
    assert not path.exists()
    assert evidenced_clue.history.first().history_change_reason == "删除佐证材料:收款凭证.pdf"


def test_evidence_under_review_cannot_be_removed(awaiting_clue, clerk):
    with pytest.raises(ValidationError, match="正在验收"):
        services.clue_remove_evidence(evidence=awaiting_clue.evidence.get(), user=clerk)


def test_a_long_file_name_keeps_its_extension(started_clue, clerk, media_root):
    name = "很长的佐证材料名称" * 30 + ".pdf"
    assert len(name) > 200
    evidence = services.clue_add_evidence(clue=started_clue, user=clerk, file=upload(name, PDF))
    assert len(evidence.original_name) == 200 and evidence.original_name.endswith(".pdf")
    assert evidence.original_name.startswith("很长的佐证材料名称")
    assert evidence.file.name.endswith(".pdf") and (media_root / evidence.file.name).is_file()
