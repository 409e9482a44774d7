"""Number formats of the acceptance pages: yuan, 万元, percentages, the matching ratio; the
dashboards' chart data."""

import json
from decimal import Decimal, InvalidOperation

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from incentives.rules import ratio_label

register = template.Library()

# As Django's json_script: the data cannot close its <script> or open a comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def chart_data(value, element_id: str):
    """Django's json_script, without its weight: Chinese as UTF-8 instead of \\uXXXX escapes (3
    bytes a character instead of 6) and no space after separators. A dashboard of 121 counties sends
    their names in every chart."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def ratio(value) -> str:
    return "—" if _decimal(value) is None else ratio_label(value)


@register.filter
def passed(flag) -> str:
    return "达标" if flag else "未达标"
