from django import forms

from ..forms import PercentField
from ..models import IncomeCheckSettings


class IncomeCheckSettingsForm(forms.ModelForm):
    band = PercentField(label="虚增收入:刚过指标线的幅度(%)")

    class Meta:
        model = IncomeCheckSettings
        fields = ("tolerance", "excess", "band")


class IncomeCheckClueForm(forms.Form):
    village = forms.RegexField(regex=r"^\d{12}$")
    year = forms.IntegerField(min_value=2000, max_value=2100)
    flag = forms.CharField(max_length=16)
