"""A searchable picker of counties or townships for the list filters.

A <select> of every unit in scope is 1,900 townships at province size and 38,000 at national size,
rendered on every list page. The picker is a text box holding the unit's code; as the user types a
name or code, the API (/api/townships/?q=…, scoped like every read) suggests matching units. A code
typed in without JavaScript works too; one outside the scope is refused by the filter as before.
"""

from django import forms
from django.urls import reverse


class DivisionPicker(forms.TextInput):
    input_type = "search"
    template_name = "villages/widgets/division_picker.html"

    def __init__(self, endpoint: str, attrs: dict | None = None):
        self.endpoint = endpoint  # the API list: "county" or "township"
        super().__init__(attrs={"autocomplete": "off", "placeholder": "输入名称或代码", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        options_id = f"{widget['attrs'].get('id') or name}-options"
        widget["attrs"]["list"] = options_id
        widget["attrs"]["data-picker-url"] = reverse(f"{self.endpoint}-list")
        widget["options_id"] = options_id
        return context
