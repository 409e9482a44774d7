"""List pages: column headers that sort (a template builtin, see settings)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str, css: str = ""):
    """A <th> whose label links to the same list sorted by `key` (ascending first, then the other
    way), keeping every filter and going back to page 1."""
    request = context["request"]
    current = request.GET.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    if current == key:
        query["sort"], state, arrow = f"-{key}", "ascending", "▲"
    elif current == f"-{key}":
        query["sort"], state, arrow = key, "descending", "▼"
    else:
        query["sort"], state, arrow = key, "none", ""
    classes = " ".join(filter(None, [css, "sortable"]))
    return format_html(
        '<th class="{}" aria-sort="{}"><a href="?{}" title="按{}排序">{}<span class="sort-arrow">{}</span></a></th>',
        classes,
        state,
        query.urlencode(),
        label,
        label,
        arrow,
    )
