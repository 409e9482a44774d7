"""Forms of the rectification pages. They only shape input: the rules are in services."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.template.defaultfilters import filesizeformat

from assets.models import Asset, Contract
from loudi_portal.money import YuanFormField
from villages.models import County, Village
from villages.scope import Scope

from .models import EVIDENCE_TYPES, ClueCategory, ClueSource, InspectionKind, SelfInspectionCampaign
from .selectors import campaign_list, inspection_coverage, inspections_in_scope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Above this many villages a drop-down is unwieldy: the user types the 12-digit code instead.
SELECT_LIMIT = 800


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Village) -> str:
        return f"{obj.code} {obj.township.name} {obj.name}"


def village_field(queryset, *, label="村(社区)", required=True) -> VillageChoiceField:
    field = VillageChoiceField(
        queryset=queryset,
        to_field_name="code",
        label=label,
        required=required,
        error_messages={"invalid_choice": "村(社区)代码不存在或不在您的管辖范围内。"},
    )
    if queryset.count() > SELECT_LIMIT:
        field.widget = forms.TextInput(attrs={"placeholder": "12 位区划代码", "pattern": r"\d{12}", "size": 14})
        field.help_text = "请输入 12 位统计用区划代码。"
    return field


class ClueForm(forms.Form):
    source = forms.ChoiceField(label="线索来源")
    inspection = forms.ModelChoiceField(queryset=None, required=False, label="所属检查")
    campaign = forms.ModelChoiceField(queryset=None, required=False, label="自查自纠工作")
    category = forms.ChoiceField(choices=ClueCategory.choices, label="问题类别")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="问题描述")
    amount_involved = YuanFormField(initial="0.00", label="涉及金额(元)")
    responsible_person = forms.CharField(max_length=50, label="整改责任人")
    found_on = forms.DateField(widget=DATE, label="发现日期")
    deadline = forms.DateField(widget=DATE, label="整改期限")
    measures = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="整改要求/措施")
    asset_code = forms.CharField(
        max_length=40, required=False, label="涉及资产编号", help_text="选填:本村资产台账中的编号"
    )
    contract_number = forms.CharField(
        max_length=50, required=False, label="涉及合同编号", help_text="选填:本村合同编号"
    )

    def __init__(self, *args, scope: Scope, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope.enters_data:
            sources = [ClueSource.SELF]
            inspections = inspections_in_scope(scope=scope).filter(kind=InspectionKind.SELF)
        else:
            sources = [ClueSource.SUPERVISION, ClueSource.UNANNOUNCED, ClueSource.PUBLIC, ClueSource.AUDIT]
            inspections = inspections_in_scope(scope=scope)
        self.fields["source"].choices = [(s.value, s.label) for s in sources]
        self.fields["inspection"].queryset = inspections.order_by("-date", "-code")
        self.fields["campaign"].queryset = campaign_list()
        # Campaigns collect self-inspection clues (the clerk's); a clerk rarely has an inspection.
        if not scope.enters_data:
            del self.fields["campaign"]
        elif inspection is None and not inspections.exists():
            del self.fields["inspection"]
        villages = scope.villages()
        if inspection is not None:
            villages = villages.filter(pk__in=inspection_coverage(inspection=inspection).values("pk"))
        self.fields["village"] = village_field(villages)
        self.order_fields(["source", "inspection", "campaign", "village", "category"])

    def clean(self):
        data = super().clean()
        village = data.get("village")
        data["asset"] = data["contract"] = None
        if village is None:
            return data
        if data.get("asset_code"):
            data["asset"] = Asset.objects.filter(village=village, code=data["asset_code"].strip()).first()
            if data["asset"] is None:
                self.add_error("asset_code", f"{village.name}没有编号为“{data['asset_code']}”的资产。")
        if data.get("contract_number"):
            data["contract"] = Contract.objects.filter(village=village, number=data["contract_number"].strip()).first()
            if data["contract"] is None:
                self.add_error("contract_number", f"{village.name}没有编号为“{data['contract_number']}”的合同。")
        return data


class MeasuresForm(forms.Form):
    measures = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="整改措施")


class ProgressForm(forms.Form):
    measures = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="整改措施")
    amount_recovered = YuanFormField(label="追回(挽回)金额(元)")
    responsible_person = forms.CharField(max_length=50, label="整改责任人")


class RequestAcceptanceForm(forms.Form):
    measures = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="整改措施及成效")
    amount_recovered = YuanFormField(required=False, label="追回(挽回)金额(元)")


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="佐证材料",
        help_text=f"{'、'.join(sorted({k.upper() for k in EVIDENCE_TYPES}))},不超过 {filesizeformat(settings.UPLOAD_MAX_BYTES)}",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{k}" for k in EVIDENCE_TYPES)}),
    )
    note = forms.CharField(max_length=200, required=False, label="说明")


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="退回原因")


class CloseForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="验收意见")


class ImportForm(forms.Form):
    target = forms.ChoiceField(label="导入到")
    file = forms.FileField(label="线索清单(.xlsx)", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if scope.enters_data:
            choices += [(f"campaign:{c.pk}", f"自查自纠 · {c.name}") for c in campaign_list()]
            inspections = inspections_in_scope(scope=scope).filter(kind=InspectionKind.SELF)
        else:
            inspections = inspections_in_scope(scope=scope)
        choices += [
            (f"inspection:{i.pk}", f"{i.code} {i.get_kind_display()} {i.date:%Y-%m-%d} {i.county.name}")
            for i in inspections.order_by("-date", "-code")[:500]
        ]
        self.fields["target"].choices = [("", "请选择")] + choices

    def clean_target(self):
        kind, _, pk = self.cleaned_data["target"].partition(":")
        return kind, int(pk)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label="检查方式")
    date = forms.DateField(widget=DATE, label="检查日期")
    unit = forms.CharField(max_length=100, label="检查单位")
    county = forms.ModelChoiceField(queryset=County.objects.none(), to_field_name="code", label="县市区")
    townships = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="检查乡镇", widget=forms.CheckboxSelectMultiple
    )
    village_codes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="检查村(社区)代码",
        help_text="12 位区划代码,多个用逗号、空格或换行分隔;乡镇和村都不填表示全县检查。",
    )
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="检查发现")

    def __init__(self, *args, scope: Scope, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        kinds = [InspectionKind.SELF] if scope.enters_data else list(InspectionKind)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["county"].queryset = scope.counties()
        self.fields["townships"].queryset = scope.townships()
        self.fields["townships"].label_from_instance = lambda t: f"{t.county.name} {t.name}"
        if not scope.sees_city and scope.has_scope:
            self.fields["county"].initial = scope.counties().first()
        if editing:
            del self.fields["kind"], self.fields["county"]

    def clean_village_codes(self):
        codes = [c for c in re.split(r"[\s,,、;;]+", self.cleaned_data["village_codes"]) if c]
        bad = [c for c in codes if not re.fullmatch(r"\d{12}", c)]
        if bad:
            raise ValidationError(f"不是 12 位区划代码:{'、'.join(bad)}")
        villages = list(self.scope.villages().filter(code__in=codes))
        missing = sorted(set(codes) - {v.code for v in villages})
        if missing:
            raise ValidationError(f"代码不存在或不在您的管辖范围内:{'、'.join(missing)}")
        return villages


class CampaignForm(forms.ModelForm):
    class Meta:
        model = SelfInspectionCampaign
        fields = ["name", "year", "started_on", "deadline", "description"]
        widgets = {"started_on": DATE, "deadline": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class SelfInspectionForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="自查情况")


class WeakOrgForm(forms.Form):
    branch_name = forms.CharField(max_length=100, label="党组织名称")
    year_listed = forms.IntegerField(min_value=2000, max_value=2100, label="列入年度")
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="列入原因")
    responsible_leader = forms.CharField(max_length=50, label="联系领导")
    plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="整顿方案")

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = village_field(scope.villages())
        self.order_fields(["village"])


class ItemForm(forms.Form):
    measure = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="整顿措施")
    responsible = forms.CharField(max_length=50, label="责任人")
    deadline = forms.DateField(widget=DATE, label="完成时限")


class OptionalItemForm(ItemForm):
    """A row of the plan on the listing form: blank rows are skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        data = super().clean()
        filled = [name for name in ("measure", "responsible", "deadline") if data.get(name)]
        if filled and len(filled) < 3:
            raise ValidationError("整顿事项的措施、责任人、完成时限须填写完整。")
        return data


ItemFormSet = formset_factory(OptionalItemForm, extra=6, max_num=30)


class ProgressNoteForm(forms.Form):
    progress = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="进展情况")


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="意见")
