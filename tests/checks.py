"""What a refusal must show besides its status: the Chinese page or message saying why, and
nothing of what it keeps from the user (names, figures of another unit). A status code alone
passes on a page that leaks, or on an error page for a missing template."""

import io
import json

NOT_FOUND = "页面不存在或不在您的查看范围内"
FORBIDDEN = "没有权限执行该操作"
_PAGE_MESSAGES = {403: FORBIDDEN, 404: NOT_FOUND}


def text_of(response) -> str:
    """The response's text: the page, or the API's JSON with its Chinese unescaped."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def page_refused(response, status: int, *, reason: str = "", hides=()) -> str:
    """A page refused with `status` (403 or 404): the portal's Chinese error page, the view's own
    `reason` when it gives one, and none of `hides`. Returns the page."""
    assert response.status_code == status, (response.status_code, response.get("Location"))
    page = response.content.decode()
    assert _PAGE_MESSAGES[status] in page, page[:300]
    if reason:
        assert reason in page
    for text in hides:
        assert str(text) not in page, f"{text!r} shows on the {status} page"
    return page


def api_refused(response, status: int, *, says: str = "", hides=()) -> dict:
    """An API call refused with `status`: a Chinese `detail` (containing `says` when given) and
    none of `hides` anywhere in the body. Returns the body."""
    assert response.status_code == status, (response.status_code, text_of(response)[:300])
    body = response.json()
    detail = str(body.get("detail", body)) if isinstance(body, dict) else str(body)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), f"not a Chinese message: {detail!r}"
    if says:
        assert says in detail, detail
    text = json.dumps(body, ensure_ascii=False)
    for hidden in hides:
        assert str(hidden) not in text, f"{hidden!r} is in the {status} answer"
    return body


def to_login(response, path: str) -> None:
    """A visitor is sent to the login page, which brings them back to `path` afterwards."""
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/accounts/login/"), response["Location"]
    assert f"next={path}" in response["Location"].replace("%2F", "/"), response["Location"]


def workbook_rows(response) -> list[tuple]:
    """Every row of every sheet of an .xlsx response (or a streamed one)."""
    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    assert "spreadsheetml" in response["Content-Type"], response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [tuple(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
