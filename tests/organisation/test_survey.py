"""评估调研: the sample is reproducible from its seed and stratified as described; findings become clues."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organisation import sampling, services
from organisation.models import FindingCategory, SurveyTownship, SurveyVillage
from rectification.models import Clue, ClueSource
from villages.models import County, Village


def draw(seed=20230815, townships=18, villages=37, groups=3):
    return sampling.draw(
        seed=seed, tier_year=2022, township_count=townships, village_count=villages, group_count=groups
    )


def test_the_same_seed_draws_the_same_sample_and_another_seed_another(divisions):
    assert draw() == draw()
    assert {v.village_id for v in draw(seed=1).villages} != {v.village_id for v in draw(seed=2).villages}


def test_townships_per_county_are_proportional_to_its_townships(divisions):
    result = draw()
    per_county = Counter(County.objects.get(pk=t.county_id).name for t in result.townships)
    # 89 townships: 新化 30, 涟源 20, 双峰 16, 娄星 13, 冷水江 10 → 18 × share, largest remainder.
    assert per_county == {"新化县": 6, "涟源市": 4, "双峰县": 3, "娄星区": 3, "冷水江市": 2}
    assert len(result.townships) == 18 and len(result.villages) == 37


def test_villages_are_spread_over_the_townships_and_go_with_their_group(divisions):
    result = draw()
    per_township = Counter(v.township_id for v in result.villages)
    assert sorted(per_township.values()) == [2] * 17 + [3]
    largest = max(per_township, key=lambda t: (per_township[t], 0))
    sizes = {t.township_id: Village.objects.filter(township_id=t.township_id).count() for t in result.townships}
    assert sizes[largest] == max(sizes.values())
    groups = {t.township_id: t.group for t in result.townships}
    assert all(v.group == groups[v.township_id] for v in result.villages)
    assert sorted(Counter(t.group for t in result.townships).values()) == [6, 6, 6]


def test_each_tier_present_in_a_township_is_represented():
    townships = [(1, 10), (2, 10)]
    villages = [(i, 1, tier) for i, tier in enumerate(["弱村"] * 8 + ["中间村"] * 3 + ["强村"], start=100)]
    villages += [(i, 2, "弱村") for i in range(200, 205)]
    result = sampling.plan(
        seed=5, townships=townships, villages=villages, township_count=2, village_count=6, group_count=2
    )
    tiers = Counter(v.tier for v in result.villages if v.township_id == 1)
    assert tiers == {"弱村": 1, "中间村": 1, "强村": 1}
    assert (
        sampling.plan(seed=5, townships=townships, villages=villages, township_count=2, village_count=6, group_count=2)
        == result
    )


def test_impossible_counts_are_refused_in_chinese(divisions):
    with pytest.raises(ValidationError, match="抽取乡镇数"):
        draw(townships=0)
    with pytest.raises(ValidationError, match="抽取村数"):
        draw(townships=5, villages=4)


def test_the_recorded_survey_is_the_draw_of_its_seed(city_user, divisions):
    survey = services.survey_draw(
        user=city_user, name="调研", seed=42, tier_year=2022, township_count=18, village_count=37, group_count=3
    )
    recorded = set(SurveyVillage.objects.filter(survey=survey).values_list("village_id", "group"))
    assert recorded == {(v.village_id, v.group) for v in draw(seed=survey.seed).villages}
    assert SurveyTownship.objects.filter(survey=survey).count() == 18
    assert survey.history.get().history_change_reason == "抽样(种子 42)"


def test_only_the_organisation_department_draws(reviewer, divisions):
    with pytest.raises(PermissionDenied):
        services.survey_draw(
            user=reviewer, name="调研", seed=1, tier_year=2022, township_count=3, village_count=3, group_count=1
        )


@pytest.fixture
def finding(city_user, divisions):
    survey = services.survey_draw(
        user=city_user, name="调研", seed=7, tier_year=2022, township_count=5, village_count=5, group_count=1
    )
    category = services.finding_category_save(user=city_user, name="合同签订不规范", order=1, clue_category="contract")
    village = SurveyVillage.objects.filter(survey=survey).first().village
    return services.finding_record(
        user=city_user, survey=survey, village=village, category=category, description="租期超长"
    )


def test_a_finding_becomes_one_rectification_clue(finding, city_user):
    clue = services.finding_to_clue(user=city_user, finding=finding, responsible_person="村支书")
    assert (clue.source, clue.category, clue.village_id) == (ClueSource.SURVEY, "contract", finding.village_id)
    assert "租期超长" in clue.description and clue.deadline - clue.found_on == datetime.timedelta(days=60)
    finding.refresh_from_db()
    assert finding.clue == clue
    with pytest.raises(ValidationError, match="已转为线索"):
        services.finding_to_clue(user=city_user, finding=finding, responsible_person="村支书")
    assert Clue.objects.count() == 1


def test_a_clue_needs_the_rectification_rights_and_a_responsible_person(finding, clerk, city_user, make_user):
    outsider = make_user(
        "county_reviewer", county="431322" if finding.village.township.county.code != "431322" else "431302"
    )
    with pytest.raises(PermissionDenied):
        services.finding_to_clue(user=outsider, finding=finding, responsible_person="甲")
    with pytest.raises(ValidationError):
        services.finding_to_clue(user=city_user, finding=finding, responsible_person=" ")
    finding.refresh_from_db()
    assert finding.clue is None and not Clue.objects.exists()


def test_a_finding_must_be_in_a_sampled_village(finding, city_user):
    outside = Village.objects.exclude(pk__in=SurveyVillage.objects.values("village_id")).first()
    with pytest.raises(ValidationError, match="不是本次调研的样本村"):
        services.finding_record(
            user=city_user, survey=finding.survey, village=outside, category=finding.category, description="x"
        )


def test_the_survey_page_turns_a_finding_into_a_clue(finding, login, city_user):
    client = login(city_user)
    response = client.post(reverse("organisation:finding_to_clue", args=[finding.pk]), {"responsible_person": "村支书"})
    assert response.status_code == 302
    page = client.get(reverse("organisation:survey_detail", args=[finding.survey_id])).content.decode()
    assert Clue.objects.get().code in page


def test_categories_are_edited_by_the_city_only(city_user, reviewer):
    with pytest.raises(PermissionDenied):
        services.finding_category_save(user=reviewer, name="新类别", order=8, clue_category="finance")
    with pytest.raises(ValidationError):
        services.finding_category_save(user=city_user, name="新类别", order=8, clue_category="nonsense")
    services.finding_category_save(user=city_user, name="新类别", order=8, clue_category="finance")
    assert FindingCategory.objects.filter(name="新类别").exists()
