"""Forms for the clerk's entry pages. They only shape input; assets.services decides (by assets.rules)."""

from django import forms
from django.conf import settings

from loudi_portal.money import YuanFormField

from . import rules
from .models import (
    Asset,
    Contract,
    ContractPayment,
    Fund,
    FundBalance,
    Resource,
)
from .rules import ASSET_FIELDS, CONTRACT_FIELDS, FUND_FIELDS, PAYMENT_FIELDS, RESOURCE_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _NoModelValidation:
    """The services validate against the row re-read under a lock; the form must not change the
    instance it was given (an edit form's instance is only its initial data)."""

    def _post_clean(self):
        pass


class AssetForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = Asset
        fields = list(ASSET_FIELDS)
        widgets = {
            "acquired_on": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class ResourceForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = Resource
        fields = list(RESOURCE_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class FundForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = Fund
        fields = list(FUND_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class FundBalanceForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = FundBalance
        fields = ["year", "balance"]


class ContractForm(_NoModelValidation, forms.ModelForm):
    schedule = forms.BooleanField(
        label="按年生成收款计划(每个合同年度的起始日应收一年合同金额)", required=False, initial=True
    )

    class Meta:
        model = Contract
        fields = list(CONTRACT_FIELDS)
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the village's own items that can still be leased.
        self.fields["asset"].queryset = Asset.objects.filter(village=village).exclude(
            status__in=rules.UNLEASABLE_ASSET_STATUSES
        )
        self.fields["resource"].queryset = Resource.objects.filter(village=village)
        self.fields["asset"].help_text = "资产与资源二选一。"
        if self.instance.pk:
            del self.fields["schedule"]

    # "An asset or a resource, not both" is the model's constraint; the service's full_clean() reports
    # its message on this form, so it is not repeated here.

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("schedule", None)
        return data


class PaymentForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = ContractPayment
        fields = list(PAYMENT_FIELDS)
        widgets = {
            "due_date": DATE_INPUT,
            "received_on": DATE_INPUT,
        }


class RevitaliseForm(forms.Form):
    revitalised_on = forms.DateField(label="盘活日期", widget=DATE_INPUT)
    became = forms.CharField(label="盘活后用途", max_length=200, help_text="例如:农耕文化研学实践教育基地")
    new_status = forms.ChoiceField(label="盘活后状态")
    contract = forms.ModelChoiceField(label="相关合同", queryset=Contract.objects.none(), required=False)
    yearly_income = YuanFormField(label="年收益(元)", required=False)
    expected_output = YuanFormField(label="预计年产值(元)", required=False)
    description = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        field = "asset" if isinstance(item, Asset) else "resource"
        self.fields["contract"].queryset = Contract.objects.filter(**{field: item})
        self.fields["new_status"].choices = rules.revitalised_status_choices(type(item))


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 Excel 文件(.xlsx)。")
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"文件超过 {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB 的上限。")
        return upload
