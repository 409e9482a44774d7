"""The OpenAPI schema documents the error answers too, so that clients (and the fuzz run in
tests/portal/test_api_fuzz.py) can rely on every status code and body the API gives.

Every operation may answer 403 (no login, or not allowed) and 429 (throttled); one that names a
record in its path, or lists pages, 404; one that writes or filters, 400; one that reads a body,
415 for a media type it does not read. A view adds its own (the income reports' 409) with
`extend_schema(responses=...)`.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "原因(中文)"}},
    "required": ["detail"],
}
# DRF's validation answer: each field's messages under its name; errors not tied to a field under
# `detail` or `non_field_errors`. Nested input (a contract's schedule) nests its messages.
_VALIDATION_SCHEMA = {
    "type": "object",
    "description": "字段名 → 错误信息列表;与字段无关的错误在 detail 或 non_field_errors 下。",
    "additionalProperties": {},
}
_DESCRIPTIONS = {
    "400": "输入有误(逐字段说明)",
    "403": "未登录,或无权执行该操作",
    "404": "记录不存在、不在您的管辖范围内,或页码无效",
    "415": "请求体的媒体类型(Content-Type)不受支持",
    "429": "请求过于频繁,或账号登录失败次数过多已暂时锁定",
}


class PortalAutoSchema(AutoSchema):
    def _error_ref(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    def _error_codes(self) -> dict[str, str]:
        codes = {"403": ERROR, "429": ERROR}
        paginated = bool(self._get_pagination_parameters())
        if "{" in self.path or paginated:
            codes["404"] = ERROR
        filtered = self._get_filter_parameters() or any(
            getattr(p, "location", None) == "query" for p in self.get_override_parameters()
        )
        # A write the service refuses (a closed year, a resource under contract) is a 400 too.
        if self.method in ("POST", "PUT", "PATCH", "DELETE") or filtered or paginated:
            codes["400"] = VALIDATION_ERROR
        if self.method in ("POST", "PUT", "PATCH"):
            codes["415"] = ERROR  # a body in a media type the operation does not read
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        schemas = {ERROR: _ERROR_SCHEMA, VALIDATION_ERROR: _VALIDATION_SCHEMA}
        for code, name in self._error_codes().items():
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": self._error_ref(name, schemas[name])}},
                    "description": _DESCRIPTIONS[code],
                },
            )
        return responses
