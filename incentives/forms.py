from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from loudi_portal.templatetags.portal_format import wan_text

from .models import CountyTarget, TargetPlan
from .services import COUNTY_FIELDS, PLAN_FIELDS


class PercentField(forms.DecimalField):
    """A share typed as a percentage (60 or 60.5) and stored as a fraction (0.6000, 0.6050)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", Decimal("100"))
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_digits", 5)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("step", "0.01")

    def prepare_value(self, value):
        # A stored fraction is shown as a percentage; typed (bound) text is shown as typed.
        if isinstance(value, Decimal):
            return (value * 100).quantize(Decimal("0.01"))
        return value

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else (percent / 100).quantize(Decimal("0.0001"))


WAN = Decimal("10000")


class WanField(forms.DecimalField):
    """Money typed in 万元, as officials read it, and kept in yuan: "1000" → 10,000,000.00 元.
    Six decimals of 万元 are a cent, so nothing is rounded away."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("decimal_places", 6)
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"class": "money", "inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Stored yuan are shown in 万元; typed (bound) text is shown as typed.
        if isinstance(value, Decimal):
            return wan_text(value, grouping=False)
        return value

    def to_python(self, value):
        # Officials type "1,000" as they read it.
        if isinstance(value, str):
            value = value.replace(",", "").replace(",", "").strip()
        return super().to_python(value)

    def clean(self, value):
        wan = super().clean(value)
        return None if wan is None else (wan * WAN).quantize(Decimal("0.01"))


def in_wan(label: str) -> str:
    """ "清零线(总收入,元)" → "清零线(总收入,万元)"."""
    label = str(label)
    return label.replace(",元)", ",万元)").replace("(元)", "(万元)") if "元)" in label else f"{label}(万元)"


class WanFieldsMixin:
    """The form's money fields typed in 万元 (their model fields stay yuan)."""

    wan_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.wan_fields:
            field = self.fields[name]
            self.fields[name] = WanField(label=in_wan(field.label), required=field.required, help_text=field.help_text)


class TargetPlanForm(WanFieldsMixin, forms.ModelForm):
    wan_fields = (
        "clearing_threshold",
        "share_threshold",
        "count_500k_threshold",
        "count_1m_threshold",
        "reward_budget",
        "award_per_county",
    )
    share_required = PercentField(label="要求占比(%)")
    reason = forms.CharField(label="修改说明", required=False, max_length=200)

    class Meta:
        model = TargetPlan
        fields = PLAN_FIELDS
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class CountyTargetForm(WanFieldsMixin, forms.ModelForm):
    wan_fields = ("clearing_threshold", "share_threshold", "count_500k_threshold", "count_1m_threshold")
    share_required = PercentField(label="要求占比(%)", required=False)

    class Meta:
        model = CountyTarget
        fields = COUNTY_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.plan_id:
            # An empty field follows the city's value: show which.
            for name in CountyTarget.INHERITED:
                value = getattr(self.instance.plan, name)
                shown = f"{value * 100:.2f}" if name == "share_required" else wan_text(value, grouping=False)
                self.fields[name].widget.attrs["placeholder"] = f"同全市 {shown}"


CountyTargetFormSet = forms.modelformset_factory(CountyTarget, form=CountyTargetForm, extra=0, can_delete=False)


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if TargetPlan.objects.filter(year=year).exists():
            raise ValidationError(f"{year} 年度目标任务已存在。")
        return year


class RunStartForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class SignoffForm(forms.Form):
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reward_total = WanField(label="核对后的市级奖补总额(万元)", required=False)


class YearUnlockForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    reason = forms.CharField(label="解锁原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y} 年") for y in sorted(years, reverse=True)]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("解锁须填写原因。")
        return reason
