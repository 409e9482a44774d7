from rest_framework import serializers

from organisation import selectors
from organisation.models import (
    AssessmentRun,
    AssessmentScore,
    Attendance,
    Finding,
    Student,
    Suggestion,
    SuggestionCategory,
    SuggestionSource,
    Survey,
    WorkTeam,
)
from villages.models import Village


class MemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    unit = serializers.CharField()
    phone = serializers.CharField(help_text="在本人所在县市区以外显示为掩码")


class TeamSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    township = serializers.CharField(source="village.township.name")
    county = serializers.CharField(source="village.township.county.name")
    term_count = serializers.IntegerField()
    current_term = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = WorkTeam
        fields = [
            "id",
            "code",
            "name",
            "dispatching_unit",
            "village_code",
            "village_name",
            "township",
            "county",
            "term_count",
            "current_term",
            "members",
        ]

    def _term(self, team):
        return team.current_terms[0] if team.current_terms else None

    def get_current_term(self, team) -> dict | None:
        term = self._term(team)
        return {"number": term.number, "started_on": term.started_on} if term else None

    def get_members(self, team) -> list[dict]:
        term = self._term(team)
        if term is None:
            return []
        scope = self.context["scope"]
        county_id = team.village.township.county_id
        return MemberSerializer(
            [
                {
                    "name": m.name,
                    "role": m.role,
                    "role_label": m.get_role_display(),
                    "unit": m.unit,
                    "phone": selectors.phone_shown(scope=scope, phone=m.phone, county_id=county_id),
                }
                for m in term.members.all()
            ],
            many=True,
        ).data


class StudentSerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="township.code")
    township_name = serializers.CharField(source="township.name")
    # A student not yet placed in a village has none: null.
    village_code = serializers.CharField(source="village.code", default=None, allow_null=True)
    village_name = serializers.CharField(source="village.name", default=None, allow_null=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Student
        fields = [
            "id",
            "name",
            "township_code",
            "township_name",
            "enrolled_year",
            "major",
            "graduated_year",
            "village_code",
            "village_name",
            "status",
            "phone",
        ]

    def get_phone(self, student) -> str:
        return selectors.phone_shown(
            scope=self.context["scope"], phone=student.phone, county_id=student.township.county_id
        )


class AttendanceSerializer(serializers.ModelSerializer):
    session_title = serializers.CharField(source="session.title")
    village_code = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")

    class Meta:
        model = Attendance
        fields = ["id", "session", "session_title", "village_code", "village_name", "name", "position", "hours"]


class SuggestionSerializer(serializers.ModelSerializer):
    # A suggestion from a city-level author has no county, township or village: null.
    county = serializers.CharField(source="county.name", default=None, allow_null=True)
    township = serializers.CharField(source="township.name", default=None, allow_null=True)
    village_code = serializers.CharField(source="village.code", default=None, allow_null=True)
    published = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "code",
            "title",
            "text",
            "category",
            "source",
            "author",
            "county",
            "township",
            "village_code",
            "status",
            "submitted_at",
            "triage_note",
            "triaged_at",
            "reply",
            "decided_at",
            "published",
            "published_at",
        ]

    def get_published(self, suggestion) -> bool:
        return suggestion.published_at is not None


class SuggestionWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    text = serializers.CharField()
    category = serializers.ChoiceField(choices=SuggestionCategory.choices)
    source = serializers.ChoiceField(choices=SuggestionSource.choices)
    author = serializers.CharField(max_length=50)
    village = serializers.SlugRelatedField(
        slug_field="code", queryset=Village.objects.all(), required=False, allow_null=True
    )

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is not None:
            self.fields["village"].queryset = scope.villages()


class TriageSerializer(serializers.Serializer):
    note = serializers.CharField()


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("adopted", "采纳"), ("promoted", "推广"), ("declined", "不采纳")])
    reply = serializers.CharField()


class SurveySerializer(serializers.ModelSerializer):
    townships_count = serializers.IntegerField()
    villages_count = serializers.IntegerField()
    findings_count = serializers.IntegerField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "seed",
            "tier_year",
            "township_count",
            "village_count",
            "group_count",
            "drawn_at",
            "townships_count",
            "villages_count",
            "findings_count",
        ]


class FindingSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    category_name = serializers.CharField(source="category.name")
    clue_code = serializers.CharField(source="clue.code", default=None, allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "survey",
            "village_code",
            "village_name",
            "category_name",
            "description",
            "recorded_at",
            "clue_code",
        ]


class AssessmentRunSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="rule.version")
    weights = serializers.JSONField(source="rule.weights")

    class Meta:
        model = AssessmentRun
        fields = ["id", "year", "kind", "version", "weights", "computed_at"]


class AssessmentScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentScore
        fields = ["subject_code", "subject_name", "village_count", "indicators", "score"]
