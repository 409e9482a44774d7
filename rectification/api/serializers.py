from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers

from loudi_portal.money import YuanSerializerField
from villages.models import County, Township, Village

from ..models import Clue, ClueCategory, ClueEvidence, ClueSource, Inspection, InspectionKind, WarningCode


class InspectionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    townships = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    villages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    clue_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "code",
            "kind",
            "kind_display",
            "date",
            "unit",
            "county",
            "townships",
            "villages",
            "findings",
            "clue_count",
            "created_at",
        ]


class InspectionWriteSerializer(serializers.Serializer):
    """Codes are looked up within the user's scope (the view narrows the querysets)."""

    kind = serializers.ChoiceField(choices=InspectionKind.choices, error_messages={"invalid_choice": "检查方式无效。"})
    date = serializers.DateField()
    unit = serializers.CharField(max_length=100)
    county = serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all())
    townships = serializers.SlugRelatedField(
        slug_field="code", queryset=Township.objects.all(), many=True, required=False
    )
    villages = serializers.SlugRelatedField(
        slug_field="code", queryset=Village.objects.all(), many=True, required=False
    )
    findings = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is not None:
            self.fields["county"].queryset = scope.counties()
            self.fields["townships"].child_relation.queryset = scope.townships()
            self.fields["villages"].child_relation.queryset = scope.villages()


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ClueEvidence
        fields = ["id", "original_name", "file_type", "size", "note", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        return reverse("rectification:evidence_download", args=[obj.pk])


class ClueSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # null for a clue from a self-inspection campaign or a contract warning.
    inspection = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.CharField(source="village.township.code", read_only=True)
    county = serializers.CharField(source="village.township.county.code", read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    # "" for a clue that did not come from a contract warning: documented as allowed.
    warning_code = serializers.ChoiceField(choices=WarningCode.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Clue
        fields = [
            "id",
            "code",
            "source",
            "source_display",
            "inspection",
            "campaign",
            "category",
            "category_display",
            "village",
            "village_name",
            "township",
            "county",
            "asset",
            "contract",
            "warning_code",
            "description",
            "amount_involved",
            "amount_recovered",
            "responsible_person",
            "found_on",
            "deadline",
            "status",
            "status_display",
            "overdue",
            "measures",
            "reject_reason",
            "rejection_count",
            "started_at",
            "requested_at",
            "closed_at",
        ]
        read_only_fields = fields


class ClueDetailSerializer(ClueSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(ClueSerializer.Meta):
        fields = [*ClueSerializer.Meta.fields, "evidence"]
        read_only_fields = fields


class ClueCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=ClueSource.choices, error_messages={"invalid_choice": "线索来源无效。"})
    inspection = serializers.PrimaryKeyRelatedField(queryset=Inspection.objects.all(), required=False, allow_null=True)
    campaign = serializers.IntegerField(required=False, allow_null=True)
    category = serializers.ChoiceField(
        choices=ClueCategory.choices, error_messages={"invalid_choice": "问题类别无效。"}
    )
    village = serializers.SlugRelatedField(slug_field="code", queryset=Village.objects.all())
    description = serializers.CharField()
    amount_involved = YuanSerializerField(default=Decimal("0.00"), label="涉及金额")
    responsible_person = serializers.CharField(max_length=50)
    found_on = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField()
    measures = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, scope=None, inspections=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is not None:
            self.fields["village"].queryset = scope.villages()
        if inspections is not None:
            self.fields["inspection"].queryset = inspections


class MeasuresSerializer(serializers.Serializer):
    measures = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressSerializer(serializers.Serializer):
    measures = serializers.CharField(allow_blank=True)
    amount_recovered = YuanSerializerField(required=False, label="追回金额")
    responsible_person = serializers.CharField(max_length=50, required=False)


class RequestSerializer(serializers.Serializer):
    measures = serializers.CharField(required=False, allow_blank=True)
    amount_recovered = YuanSerializerField(required=False, label="追回金额")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(error_messages={"required": "退回须填写原因。", "blank": "退回须填写原因。"})


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": "请选择要上传的文件。"})
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class FromWarningSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    warning = serializers.CharField()
