"""Services refuse with ValidationError, PermissionDenied or Conflict (loudi_portal/errors.py); the API
translates them in one handler and the pages in two helpers, so no view repeats the translation."""

import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from loudi_portal.errors import Conflict, refusal_text
from loudi_portal.views import refused_as_message, refused_on_form
from villages.services import IncomeConflict

ROOT = Path(__file__).resolve().parents[2]
APPS = ("villages", "assets", "rectification", "incentives", "organisation")


def _answer(exc):
    """What the API answers when a service lets `exc` out of a view."""

    class Refusing(APIView):
        permission_classes = ()

        def get(self, request):
            raise exc

    return Refusing.as_view()(APIRequestFactory().get("/"))


def test_a_refusal_for_a_field_answers_400_on_that_field():
    response = _answer(ValidationError({"deadline": ["整改期限不能早于发现日期。"]}))
    assert response.status_code == 400
    assert response.data == {"deadline": ["整改期限不能早于发现日期。"]}


def test_any_other_refusal_answers_400_with_one_detail_line():
    response = _answer(ValidationError(["该线索已销号。", "请先上传佐证材料。"]))
    assert response.status_code == 400
    assert response.data == {"detail": "该线索已销号。;请先上传佐证材料。"}


def test_permission_denied_answers_403_with_the_services_reason():
    response = _answer(PermissionDenied("只有县级审核员可以销号。"))
    assert (response.status_code, response.data) == (403, {"detail": "只有县级审核员可以销号。"})
    assert _answer(PermissionDenied()).data == {"detail": "您无权执行该操作。"}


def test_a_conflict_answers_409_with_the_current_version():
    response = _answer(IncomeConflict("该报表已被他人修改,请刷新后重试。", current_version=3))
    assert response.status_code == 409
    assert response.data == {"detail": "该报表已被他人修改,请刷新后重试。", "current_version": 3}


def test_a_conflict_is_a_refusal_like_any_other():
    conflict = Conflict("已被他人修改。", current_version=2)
    assert isinstance(conflict, ValidationError) and refusal_text(conflict) == "已被他人修改。"
    assert issubclass(IncomeConflict, Conflict)


@pytest.mark.parametrize("app", APPS)
def test_no_api_view_translates_refusals_itself(app):
    source = (ROOT / app / "api" / "views.py").read_text(encoding="utf-8")
    assert not re.search(r"except .*(ValidationError|PermissionDenied|Conflict)", source)
    assert not re.search(r"\bdef (call_service|call|_service_call)\(", source)


# --- pages ---------------------------------------------------------------------------------------


class _Form(forms.Form):
    deadline = forms.DateField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_refusal_becomes_one_message_and_skips_the_rest_of_the_block():
    request, after = _request(), []

    def close():
        raise ValidationError(["该线索已销号。", "请先上传佐证材料。"])

    with refused_as_message(request) as refused:
        close()
        after.append("success")
    assert refused and after == []
    assert [str(m) for m in get_messages(request)] == ["该线索已销号。;请先上传佐证材料。"]
    with refused_as_message(request) as done:
        after.append("success")
    assert not done and after == ["success"]


def test_a_permission_denied_goes_to_the_403_page_unless_the_view_shows_it():
    with pytest.raises(PermissionDenied), refused_as_message(_request()):
        raise PermissionDenied("只有县级审核员可以销号。")
    request = _request()
    with refused_as_message(request, denied=True) as refused:
        raise PermissionDenied("只有县级审核员可以销号。")
    assert refused and [str(m) for m in get_messages(request)] == ["只有县级审核员可以销号。"]


def test_a_bug_is_never_taken_for_a_refusal():
    with pytest.raises(KeyError), refused_as_message(_request(), denied=True):
        raise KeyError("year")
    with pytest.raises(ValueError), refused_on_form(_Form({}), denied=True):
        raise ValueError("x")


def test_a_refusal_goes_on_its_field_when_the_form_has_it():
    form = _Form({})
    assert form.is_valid()
    with refused_on_form(form) as refused:
        raise ValidationError({"deadline": "整改期限不能早于发现日期。", "village": "该村不在您的范围内。"})
    assert refused
    assert form.errors == {"deadline": ["整改期限不能早于发现日期。"], "__all__": ["该村不在您的范围内。"]}
    form = _Form({})
    form.is_valid()
    with refused_on_form(form, denied=True):
        raise PermissionDenied("您无权登记该县市区的检查。")
    assert form.non_field_errors() == ["您无权登记该县市区的检查。"]


@pytest.mark.parametrize("app", APPS)
def test_no_page_view_translates_refusals_itself(app):
    source = (ROOT / app / "views.py").read_text(encoding="utf-8")
    assert not re.search(r"def (apply_service_errors|add_service_errors|_message_of)\b|\.join\(exc\.messages\)", source)
