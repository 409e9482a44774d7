from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from loudi_portal.money import YuanFormField

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


class TargetPlanForm(forms.ModelForm):
    share_required = PercentField(label="要求占比(%)")
    reason = forms.CharField(label="修改说明", required=False, max_length=200)

    class Meta:
        model = TargetPlan
        fields = PLAN_FIELDS
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class CountyTargetForm(forms.ModelForm):
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
                shown = f"{value * 100:.2f}" if name == "share_required" else f"{value}"
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
    reward_total = YuanFormField(label="核对后的市级奖补总额(元)", required=False)


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
