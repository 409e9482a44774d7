"""Forms of the organisation pages. They only read and clean input; the services decide."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from loudi_portal import clock
from rectification import selectors as rectification_selectors

from .assessment import INDICATORS
from .models import (
    DECIDED,
    AssessmentKind,
    FindingCategory,
    MemberRole,
    StudentStatus,
    SuggestionCategory,
    SuggestionSource,
    SuggestionStatus,
    TraineePosition,
    TrainingKind,
)
from .services import MemberInput

SELECT_LIMIT = 200
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class VillageField(forms.ModelChoiceField):
    """A village by its 12-digit code; a select when the user's villages are few."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": "村(社区)代码不存在或不在您的管辖范围内。"})
        super().__init__(queryset=queryset, to_field_name="code", **kwargs)
        if queryset.count() > SELECT_LIMIT:
            self.widget = forms.TextInput(attrs={"placeholder": "12 位区划代码", "pattern": r"\d{12}", "size": 14})
            self.help_text = "请输入 12 位统计用区划代码。"

    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.township.name} {obj.name}"


MEMBERS_HELP = "每行一人:姓名,职务(第一书记/队长/队员),所在单位及职务,联系电话(可不填)"
ROLE_BY_LABEL = {label: value for value, label in MemberRole.choices}


def parse_members(text: str) -> list[MemberInput]:
    members = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace(",", ",").split(",")]
        parts += [""] * (4 - len(parts))
        role = ROLE_BY_LABEL.get(parts[1])
        if role is None:
            raise ValidationError(f"第 {number} 行:职务“{parts[1]}”应为第一书记、队长或队员。")
        members.append(MemberInput(name=parts[0], role=role, unit=parts[2], phone=parts[3]))
    return members


class MembersField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 5, "cols": 70})

    def clean(self, value):
        return parse_members(super().clean(value))


class TeamForm(forms.Form):
    code = forms.CharField(label="工作队编号", max_length=20)
    name = forms.CharField(label="工作队名称", max_length=100)
    dispatching_unit = forms.CharField(label="派出单位", max_length=100)
    started_on = forms.DateField(label="到岗日期", widget=DATE_WIDGET)
    members = MembersField(label="队员名单", help_text=MEMBERS_HELP)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = VillageField(villages, label="驻点村")
        self.order_fields(["code", "name", "dispatching_unit", "village", "started_on", "members"])


class RotateForm(forms.Form):
    started_on = forms.DateField(label="新一轮到岗日期", widget=DATE_WIDGET)
    members = MembersField(label="新一轮队员名单", help_text=MEMBERS_HELP)
    handover_items = forms.CharField(
        label="交接清单", widget=forms.Textarea(attrs={"rows": 4, "cols": 70}), help_text="每行一项"
    )
    outgoing_signatory = forms.CharField(label="交出方签字", max_length=50)
    incoming_signatory = forms.CharField(label="接收方签字", max_length=50)

    def clean_handover_items(self):
        return [line.strip() for line in self.cleaned_data["handover_items"].splitlines() if line.strip()]


class SuggestionForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100)
    category = forms.ChoiceField(label="类别", choices=SuggestionCategory.choices)
    source = forms.ChoiceField(label="建议人身份", choices=SuggestionSource.choices)
    author = forms.CharField(label="建议人", max_length=50)
    text = forms.CharField(label="建议内容", widget=forms.Textarea(attrs={"rows": 6, "cols": 70}))

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = VillageField(villages, label="涉及村(社区)", required=False)
        self.order_fields(["title", "category", "source", "author", "village", "text"])


class TriageForm(forms.Form):
    note = forms.CharField(label="初审意见", widget=forms.Textarea(attrs={"rows": 3, "cols": 70}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="办理结果", choices=[(s, SuggestionStatus(s).label) for s in DECIDED], widget=forms.RadioSelect
    )
    reply = forms.CharField(label="答复意见", widget=forms.Textarea(attrs={"rows": 3, "cols": 70}))


class StudentForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    enrolled_year = forms.IntegerField(label="入学年份", min_value=2000, max_value=2100)
    major = forms.CharField(label="专业", max_length=50)
    graduated_year = forms.IntegerField(label="毕业年份", min_value=2000, max_value=2100, required=False)
    status = forms.ChoiceField(label="在岗状态", choices=StudentStatus.choices)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def __init__(self, *args, townships, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"] = forms.ModelChoiceField(townships, label="定向乡镇", to_field_name="code")
        self.fields["village"] = VillageField(villages, label="分配到村", required=False)
        self.order_fields(
            ["name", "township", "enrolled_year", "major", "graduated_year", "village", "status", "phone"]
        )


class SurveyForm(forms.Form):
    name = forms.CharField(label="调研名称", max_length=100)
    seed = forms.IntegerField(
        label="随机种子", min_value=0, max_value=2**62, help_text="记录在案,同一种子可重现同一样本"
    )
    tier_year = forms.IntegerField(label="分层所依年度", min_value=2000, max_value=2100)
    township_count = forms.IntegerField(label="抽取乡镇数", min_value=1, initial=18)
    village_count = forms.IntegerField(label="抽取村数", min_value=1, initial=37)
    group_count = forms.IntegerField(label="调研组数", min_value=1, max_value=20, initial=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier_year"].initial = clock.today().year - 1


class FindingForm(forms.Form):
    category = forms.ModelChoiceField(FindingCategory.objects.all(), label="问题类别")
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3, "cols": 70}))

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = VillageField(villages, label="样本村")
        self.order_fields(["village", "category", "description"])


class FindingCategoryForm(forms.Form):
    name = forms.CharField(label="问题类别", max_length=50)
    order = forms.IntegerField(label="排序", min_value=0, max_value=999)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clue_category"] = forms.ChoiceField(
            label="转线索时的线索类别", choices=rectification_selectors.clue_category_choices()
        )


class ClueFromFindingForm(forms.Form):
    responsible_person = forms.CharField(label="整改责任人", max_length=50)
    deadline = forms.DateField(label="整改期限", widget=DATE_WIDGET, required=False, help_text="不填则为 60 天后")


class WeightForm(forms.Form):
    note = forms.CharField(label="修订说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in INDICATORS.items():
            self.fields[f"w_{key}"] = forms.DecimalField(
                label=f"{label}权重", min_value=0, max_value=100, decimal_places=2, max_digits=5
            )

    def weights(self) -> dict:
        return {key: self.cleaned_data[f"w_{key}"] for key in INDICATORS}


class ComputeForm(forms.Form):
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="考核类别", choices=AssessmentKind.choices)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)")


class SessionForm(forms.Form):
    title = forms.CharField(label="培训班名称", max_length=100)
    kind = forms.ChoiceField(label="培训类型", choices=TrainingKind.choices)
    organiser = forms.CharField(label="主办单位", max_length=100)
    started_on = forms.DateField(label="开班日期", widget=DATE_WIDGET)
    ended_on = forms.DateField(label="结业日期", widget=DATE_WIDGET)
    hours = forms.DecimalField(label="学时", min_value=Decimal("0.5"), max_digits=5, decimal_places=1)


class AttendanceForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    position = forms.ChoiceField(label="职务", choices=TraineePosition.choices)
    hours = forms.DecimalField(
        label="参训学时", max_digits=5, decimal_places=1, required=False, help_text="不填则为该班学时"
    )

    def __init__(self, *args, sessions, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"] = forms.ModelChoiceField(sessions, label="培训班")
        self.fields["village"] = VillageField(villages, label="村(社区)")
        self.order_fields(["session", "village", "name", "position", "hours"])
