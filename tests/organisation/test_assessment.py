"""The assessment component: indicators from known inputs at their boundaries, the weighted score,
versioned weights and immutable sheets, and the Excel export."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from organisation import assessment, services
from organisation.models import AssessmentScore
from villages.models import IncomeReport, IncomeStatus, Village

ZERO = Decimal("0.00")


def approved(village, year, *, operating, other=ZERO):
    return IncomeReport.objects.create(
        village=village,
        year=year,
        status=IncomeStatus.APPROVED,
        operating_revenue=Decimal(operating),
        contracting_revenue=ZERO,
        investment_income=ZERO,
        subsidy_income=Decimal(other),
        other_income=ZERO,
    )


def test_score_is_the_weighted_mean_of_the_indicators_that_apply():
    weights = {"targets": "30", "clearing": "20", "tier": "20", "clues": "15", "weak_org": "10", "warnings": "5"}
    perfect = dict.fromkeys(assessment.INDICATORS, Decimal(100))
    assert assessment.score_of(perfect, weights) == Decimal("100.00")
    assert assessment.score_of(dict.fromkeys(assessment.INDICATORS, Decimal(0)), weights) == Decimal("0.00")
    # targets does not apply (a village): the other weights (70) carry the score.
    values = perfect | {"targets": None, "clearing": Decimal(0)}
    assert assessment.score_of(values, weights) == Decimal("71.43")  # 50 × 100 / 70 = 71.428… half up
    assert assessment.score_of(values, dict.fromkeys(weights, "0")) == Decimal("0.00")


@pytest.mark.parametrize(
    ("previous", "current", "points"),
    [
        ("弱村", "中间村", 100),
        ("中间村", "强村", 100),
        ("强村", "强村", 100),
        ("中间村", "中间村", 50),
        ("弱村", "弱村", 50),
        ("强村", "中间村", 0),
    ],
)
def test_tier_points(previous, current, points):
    assert assessment.tier_points(previous, current) == Decimal(points)


@pytest.fixture
def weights(city_user):
    return services.weight_rule_save(user=city_user, weights={"clearing": "50", "tier": "50"}, note="清零与层级")


@pytest.fixture
def pair(divisions):
    return list(Village.objects.filter(township__code="431302001").order_by("code")[:2])


def test_clearing_and_tier_at_their_boundaries(pair, weights, city_user):
    at_line, below = pair
    approved(at_line, 2023, operating="90000.00")
    approved(at_line, 2024, operating="100000.00")  # 总收入 ≥ 50,000.00 and 中间村 from exactly 10万
    approved(below, 2023, operating="99999.99")
    approved(below, 2024, operating="49999.99")  # one cent under the clearing line, still 弱村
    run = services.assessment_compute(user=city_user, year=2024, kind="village_secretary")
    scores = {
        s.subject_code: s for s in AssessmentScore.objects.filter(run=run, subject_code__in=[at_line.code, below.code])
    }
    assert (
        scores[at_line.code].indicators["clearing"] == "100.00" and scores[at_line.code].indicators["tier"] == "100.00"
    )
    assert scores[at_line.code].score == Decimal("100.00")
    assert scores[below.code].indicators["clearing"] == "0.00" and scores[below.code].indicators["tier"] == "50.00"
    assert scores[below.code].score == Decimal("25.00")


def test_a_township_is_scored_on_all_its_villages(pair, weights, city_user):
    approved(pair[0], 2024, operating="60000.00")
    run = services.assessment_compute(user=city_user, year=2024, kind="township_secretary")
    row = AssessmentScore.objects.get(run=run, subject_code="431302001")
    n = Village.objects.filter(township__code="431302001").count()
    assert row.village_count == n
    expected = (Decimal(100) / n).quantize(Decimal("0.01"))
    assert Decimal(row.indicators["clearing"]) == expected


def test_sheets_are_immutable_per_weight_version(pair, weights, city_user):
    approved(pair[0], 2024, operating="60000.00")
    first = services.assessment_compute(user=city_user, year=2024, kind="county")
    before = list(AssessmentScore.objects.filter(run=first).values_list("subject_code", "score"))
    with pytest.raises(ValidationError, match="不可更改"):
        services.assessment_compute(user=city_user, year=2024, kind="county")
    v2 = services.weight_rule_save(user=city_user, weights={"clearing": "100"})
    second = services.assessment_compute(user=city_user, year=2024, kind="county")
    assert (v2.version, second.rule == v2) == (2, True)
    assert list(AssessmentScore.objects.filter(run=first).values_list("subject_code", "score")) == before
    assert AssessmentScore.objects.filter(run=second).count() == 5


def test_weights_are_checked_and_the_citys(city_user, reviewer):
    with pytest.raises(PermissionDenied):
        services.weight_rule_save(user=reviewer, weights={"clearing": "1"})
    with pytest.raises(ValidationError):
        services.weight_rule_save(user=city_user, weights={"clearing": "0"})
    with pytest.raises(ValidationError):
        services.weight_rule_save(user=city_user, weights={"clearing": "-1"})
    with pytest.raises(ValidationError):
        services.weight_rule_save(user=city_user, weights={"bogus": "10"})


def test_teams_are_scored_on_their_villages_and_the_sheet_exports(pair, weights, city_user, reviewer, login, make_team):
    approved(pair[0], 2024, operating="60000.00")
    team = make_team(pair[0])
    run = services.assessment_compute(user=city_user, year=2024, kind="team")
    row = AssessmentScore.objects.get(run=run)
    assert (row.subject_code, row.village_count, row.indicators["clearing"]) == (team.code, 1, "100.00")
    response = login(reviewer).get(reverse("organisation:assessment_export", args=[run.pk]))
    ws = load_workbook(io.BytesIO(response.content))["考核得分"]
    assert ws["A1"].value.startswith("2024年驻村工作队年度考核")
    # clearing 100 (60,000 ≥ 50,000), tier 50 (弱村 both years): (50 × 100 + 50 × 50) / 100.
    assert (ws.cell(row=4, column=1).value, ws.cell(row=4, column=12).value) == (team.code, 75)
    assert row.score == Decimal("75.00")
