"""Forms of the villages app: thin, the rules live in services (income_clean_amounts)."""

from django import forms
from django.conf import settings

from .models import CONTRACTING_ABOLISHED_FROM
from .services import INCOME_AMOUNT_FIELDS, INCOME_AMOUNT_LABELS, income_clean_amounts


def _money_input() -> forms.TextInput:
    # Text, not number: clerks type "12,345.67"; income.js sums the fields as they type.
    return forms.TextInput(attrs={"class": "money", "inputmode": "decimal", "autocomplete": "off", "data-money": ""})


class IncomeReportForm(forms.Form):
    """A village's five income figures and a note. 总收入 and 经营性收入 are derived, never typed."""

    operating_revenue = forms.CharField(label=INCOME_AMOUNT_LABELS["operating_revenue"], required=False)
    contracting_revenue = forms.CharField(label=INCOME_AMOUNT_LABELS["contracting_revenue"], required=False)
    investment_income = forms.CharField(label=INCOME_AMOUNT_LABELS["investment_income"], required=False)
    subsidy_income = forms.CharField(label=INCOME_AMOUNT_LABELS["subsidy_income"], required=False)
    other_income = forms.CharField(label=INCOME_AMOUNT_LABELS["other_income"], required=False)
    note = forms.CharField(
        label="备注(说明)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="总收入比上年增长超过 3 倍或降到 1/3 以下时,提交前必须说明原因。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, year: int, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        # 保存并提交 needs every amount (0 when there is no such income); 保存草稿 may keep blanks.
        self.submitting = submitting
        for name in INCOME_AMOUNT_FIELDS:
            self.fields[name].widget = _money_input()
            self.fields[name].widget.attrs["data-field"] = name
        if year >= CONTRACTING_ABOLISHED_FROM:
            # The account no longer exists (财会〔2023〕14号): shown as 0, not typed in. A crafted
            # post still meets the rule in income_clean_amounts.
            self.fields["contracting_revenue"].widget.attrs["readonly"] = True
            self.fields["contracting_revenue"].initial = "0.00"

    def clean(self):
        cleaned = super().clean()
        amounts, errors = income_clean_amounts(
            year=self.year, data={n: self.data.get(n) for n in INCOME_AMOUNT_FIELDS}, submit=self.submitting
        )
        for name, message in errors.items():
            self.add_error(name, message)
        cleaned.update(amounts)
        return cleaned

    def service_data(self) -> dict:
        return {**{n: self.cleaned_data[n] for n in INCOME_AMOUNT_FIELDS}, "note": self.cleaned_data.get("note", "")}


class IncomeActionForm(forms.Form):
    """Submit or approve one report: only the version the user looked at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class IncomeReasonForm(IncomeActionForm):
    """Return (退回) or reopen (重新打开): a reason the clerk will see."""

    reason = forms.CharField(label="原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写原因。")
        return reason


class IncomeUploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"文件超过 {settings.UPLOAD_MAX_BYTES / (1024 * 1024):g} MB,请拆分后上传。")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只能上传 .xlsx 格式的 Excel 文件(请用下载的模板填写)。")
        return upload


class ReportingPeriodForm(forms.Form):
    """A year's reporting period (市委组织部): the targets page and the admin use it."""

    opens_on = forms.DateField(label="开始填报", widget=forms.DateInput(attrs={"type": "date"}))
    entry_deadline = forms.DateField(label="填报截止", widget=forms.DateInput(attrs={"type": "date"}))
    review_deadline = forms.DateField(label="审核截止", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label="修改或延期原因",
        required=False,
        max_length=200,
        help_text="修改已设定的填报期(如延期)时必填,记入修改记录。",
    )
