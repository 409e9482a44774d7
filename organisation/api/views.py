"""The API: teams, students, attendance, suggestions (with their workflow as actions), surveys and
findings, assessment runs with their scores; scoped like the pages, phone numbers masked like them."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from villages.scope import scope_for

from .. import selectors, services
from ..filtersets import AttendanceFilterSet, StudentFilterSet, SuggestionFilterSet, TeamFilterSet
from ..models import AssessmentRun, Attendance, Student, Suggestion, Survey, WorkTeam
from . import serializers as s

# The actions that answer a page of rows (count, next, previous, results), as the lists do.
PAGE = [OpenApiParameter("page", int, description="页码")]


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    @property
    def scope(self):
        return scope_for(self.request.user)

    def get_serializer_context(self):
        return super().get_serializer_context() | {"scope": self.scope}


class TeamViewSet(ScopedViewSet):
    serializer_class = s.TeamSerializer
    filterset_class = TeamFilterSet
    queryset = WorkTeam.objects.none()

    def get_queryset(self):
        return selectors.team_list(scope=self.scope)


class StudentViewSet(ScopedViewSet):
    serializer_class = s.StudentSerializer
    filterset_class = StudentFilterSet
    queryset = Student.objects.none()

    def get_queryset(self):
        return selectors.student_list(scope=self.scope)


class AttendanceViewSet(ScopedViewSet):
    serializer_class = s.AttendanceSerializer
    filterset_class = AttendanceFilterSet
    queryset = Attendance.objects.none()

    def get_queryset(self):
        return selectors.attendance_list(scope=self.scope)


class SuggestionViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = s.SuggestionSerializer
    filterset_class = SuggestionFilterSet
    queryset = Suggestion.objects.none()

    def get_queryset(self):
        return selectors.suggestion_list(scope=self.scope, user=self.request.user)

    def _fresh(self, suggestion, code=status.HTTP_200_OK):
        return Response(s.SuggestionSerializer(self.get_queryset().get(pk=suggestion.pk)).data, status=code)

    @extend_schema(request=s.SuggestionWriteSerializer, responses={201: s.SuggestionSerializer})
    def create(self, request, *args, **kwargs):
        data = s.SuggestionWriteSerializer(data=request.data, scope=self.scope)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        suggestion = services.suggestion_submit(user=request.user, village=values.pop("village", None), **values)
        return self._fresh(suggestion, status.HTTP_201_CREATED)

    @extend_schema(request=s.TriageSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.TriageSerializer)
    def triage(self, request, pk=None):
        data = s.TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.suggestion_triage(user=request.user, suggestion=self.get_object(), **data.validated_data)
        return self._fresh(done)

    @extend_schema(request=s.DecideSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.DecideSerializer)
    def decide(self, request, pk=None):
        data = s.DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.suggestion_decide(user=request.user, suggestion=self.get_object(), **data.validated_data)
        return self._fresh(done)

    @extend_schema(request=None, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._fresh(services.suggestion_publish(user=request.user, suggestion=self.get_object()))

    @extend_schema(responses=s.SuggestionSerializer(many=True), parameters=PAGE)
    @action(detail=False, methods=["get"], filter_backends=[])
    def golden(self, request):
        page = self.paginate_queryset(selectors.golden_ideas())
        return self.get_paginated_response(s.SuggestionSerializer(page, many=True).data)


class SurveyViewSet(ScopedViewSet):
    serializer_class = s.SurveySerializer
    queryset = Survey.objects.none()
    filterset_class = None

    def get_queryset(self):
        return selectors.survey_list(scope=self.scope)

    @extend_schema(responses=s.FindingSerializer(many=True), parameters=PAGE)
    @action(detail=True, methods=["get"], serializer_class=s.FindingSerializer)
    def findings(self, request, pk=None):
        survey = self.get_object()
        page = self.paginate_queryset(selectors.survey_findings(scope=self.scope, survey=survey))
        return self.get_paginated_response(s.FindingSerializer(page, many=True).data)


class AssessmentRunViewSet(ScopedViewSet):
    serializer_class = s.AssessmentRunSerializer
    queryset = AssessmentRun.objects.none()
    filterset_class = None

    def get_queryset(self):
        if not self.scope.oversees:
            return AssessmentRun.objects.none()
        return selectors.assessment_runs(scope=self.scope)

    @extend_schema(responses=s.AssessmentScoreSerializer(many=True), parameters=PAGE)
    @action(detail=True, methods=["get"], serializer_class=s.AssessmentScoreSerializer)
    def scores(self, request, pk=None):
        run = get_object_or_404(self.get_queryset(), pk=pk)
        page = self.paginate_queryset(selectors.assessment_scores(scope=self.scope, run=run))
        return self.get_paginated_response(s.AssessmentScoreSerializer(page, many=True).data)
