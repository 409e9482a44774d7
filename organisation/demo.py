"""Demo data reproducing the campaign's organisation figures:

- 108 驻村工作队 with 287 members in place, every team rotated once (轮换交接 with a signed list);
- 536 村干部定向培养生 over four intakes, 415 of them graduated and assigned to villages;
- 全员培训 of village party secretaries and committee directors: 2,000+ people;
- 3,000+ 建言献策 suggestions from the four kinds of authors, in every state of the workflow;
- one 评估调研 of 18 townships and 37 villages (stratified sample, recorded seed) with findings in
  the seven problem categories; the first version of the assessment weights.

Deterministic (a seeded Random), idempotent (each part is skipped when its rows exist), in bulk
with history rows (bulk_create_with_history), so the whole seed takes a few seconds.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from loudi_portal.clock import SHANGHAI
from villages.models import Township, Village

from . import sampling
from .assessment import DEFAULT_WEIGHTS
from .models import (
    Attendance,
    Finding,
    FindingCategory,
    Handover,
    MemberRole,
    Student,
    StudentStatus,
    Suggestion,
    SuggestionCategory,
    SuggestionSource,
    SuggestionStatus,
    Survey,
    SurveyTownship,
    SurveyVillage,
    TeamMember,
    TeamTerm,
    TraineePosition,
    TrainingKind,
    TrainingSession,
    WeightRule,
    WorkTeam,
)

SEED = 20240601
TEAMS, MEMBERS = 108, 287
STUDENTS, GRADUATES, LEFT = 536, 415, 12
INTAKES = {2020: 210, 2021: 205, 2022: 60, 2023: 61}  # 2020 and 2021 graduated after three years
SUGGESTIONS = 3126
SURVEY_NAME = "2023年全市村级集体经济发展评估调研"
SURVEY_SEED = 20230815
FIRST_TERM, ROTATION = date(2021, 6, 1), date(2024, 4, 1)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲红春林志海波鹏宇浩亮斌丹萍飞鑫婷雪琴云峰俊凯晨颖健"
UNITS = [
    "市委组织部",
    "市委宣传部",
    "市纪委监委",
    "市发展改革委",
    "市财政局",
    "市农业农村局",
    "市自然资源和规划局",
    "市住房城乡建设局",
    "市交通运输局",
    "市水利局",
    "市商务局",
    "市文化旅游广电体育局",
    "市卫生健康委",
    "市人力资源社会保障局",
    "市教育局",
    "市生态环境局",
    "市市场监管局",
    "市林业局",
    "市供销社",
    "市委党校",
    "市供电公司",
    "市农村商业银行",
    "湖南人文科技学院",
    "市职业技术学院",
    "市中心医院",
]
MAJORS = ["现代农业经营与管理", "农村经营管理", "乡村治理", "电子商务", "畜牧兽医", "园艺技术", "村镇建设与管理"]
HANDOVER_ITEMS = [
    "驻村工作日志和民情台账",
    "帮扶项目清单及资金使用情况",
    "村级集体经济发展规划和在建项目进度",
    "结对帮扶户名单及走访记录",
    "未办结群众诉求及矛盾纠纷清单",
    "公章、文书档案及办公设备",
]
FINDING_CATEGORIES = [
    ("发展思路单一、产业支撑不足", "asset_resource"),
    ("闲置资产资源盘活利用不够", "asset_resource"),
    ("合同签订和履约管理不规范", "contract"),
    ("财务管理和收支核算不规范", "finance"),
    ("村级债务底数不清、化解不力", "debt"),
    ("项目建设和运营管护不到位", "project"),
    ("带头人和经营人才缺乏", "lending"),
]
FINDING_TEXT = {
    0: "村集体收入主要依靠上级补助和资源发包,缺少稳定的经营性项目。",
    1: "村部旧址、废弃学校等闲置多年,未形成盘活方案。",
    2: "部分发包合同期限超长、租金偏低,到期未及时续签或收回。",
    3: "集体收支未做到日清月结,部分票据不规范。",
    4: "历史债务台账不完整,化债计划未落实到具体项目。",
    5: "扶贫项目资产移交后管护责任不明确,收益未按约定分配。",
    6: "村干部年龄偏大,懂经营、会管理的年轻人才储备不足。",
}
SUGGESTION_TOPICS = {
    SuggestionCategory.INDUSTRY: [
        "发展{x}特色种植,统一品牌统一销售",
        "依托{x}发展乡村旅游和农事体验",
        "村集体牵头成立{x}专业合作社",
    ],
    SuggestionCategory.RESOURCES: [
        "把闲置{x}改造为研学基地",
        "整治{x}撂荒地,集中流转规模经营",
        "盘活{x}闲置厂房对外出租",
    ],
    SuggestionCategory.ASSETS: [
        "建立{x}三资台账季度公开制度",
        "规范{x}集体资产发包招标程序",
        "推行{x}村级财务线上审批",
    ],
    SuggestionCategory.TALENT: [
        "引导{x}在外能人回乡领办项目",
        "为{x}村干部开设经营管理专题培训",
        "从{x}返乡大学生中选育村级后备力量",
    ],
    SuggestionCategory.FINANCE: [
        "为{x}集体经济项目提供贴息贷款",
        "设立{x}集体经济发展风险补偿金",
        "将{x}项目纳入以奖代投优先支持",
    ],
    SuggestionCategory.MECHANISM: [
        "推行{x}强村带弱村联合发展",
        "建立{x}村集体经营收益分配激励机制",
        "探索{x}飞地抱团发展模式",
    ],
}
PLACES = ["本村", "本镇", "山区村", "城郊村", "库区村", "产煤区", "丘陵村", "沿河村"]
SOURCE_WEIGHTS = [
    (SuggestionSource.TOWNSHIP_CADRE, 30),
    (SuggestionSource.VILLAGE_COMMITTEE, 40),
    (SuggestionSource.TEAM_MEMBER, 15),
    (SuggestionSource.REPRESENTATIVE, 15),
]
STATUS_WEIGHTS = [
    (SuggestionStatus.SUBMITTED, 9),
    (SuggestionStatus.TRIAGED, 24),
    (SuggestionStatus.ADOPTED, 31),
    (SuggestionStatus.PROMOTED, 8),
    (SuggestionStatus.DECLINED, 28),
]
REPLIES = {
    SuggestionStatus.ADOPTED: "建议切实可行,已转相关县市区结合实际采纳实施。",
    SuggestionStatus.PROMOTED: "建议具有普遍推广价值,已纳入全市经验做法推广清单。",
    SuggestionStatus.DECLINED: "建议已收悉,因与现行政策衔接或实施条件尚不成熟,暂不采纳,感谢建言。",
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def _weighted(rng: random.Random, weights):
    values, w = zip(*weights, strict=True)
    return rng.choices(values, weights=w)[0]


def _villages() -> list[Village]:
    return list(Village.objects.select_related("township__county").order_by("code"))


# --- 驻村工作队 ---------------------------------------------------------------------------------
def _seed_teams(rng: random.Random, villages: list[Village]) -> int:
    if WorkTeam.objects.filter(code__startswith="GZD").exists():
        return 0
    # Teams go to villages (not communities), spread over the counties in proportion to their size.
    candidates = [v for v in villages if v.code[9] != "0"]
    stations = sorted(rng.sample(candidates, TEAMS), key=lambda v: v.code)
    teams = []
    for number, village in enumerate(stations, start=1):
        unit = UNITS[(number - 1) % len(UNITS)]
        teams.append(
            WorkTeam(
                code=f"GZD{number:03d}",
                name=f"{unit}驻{village.township.name}{village.name}工作队",
                dispatching_unit=unit,
                village=village,
                created_at=_at(FIRST_TERM),
            )
        )
    teams = bulk_create_with_history(teams, WorkTeam, default_change_reason="登记工作队", default_date=_at(FIRST_TERM))
    teams = list(WorkTeam.objects.filter(code__startswith="GZD").order_by("code"))
    first = [TeamTerm(team=t, number=1, started_on=FIRST_TERM, ended_on=ROTATION - timedelta(days=1)) for t in teams]
    second = [TeamTerm(team=t, number=2, started_on=ROTATION) for t in teams]
    bulk_create_with_history(first + second, TeamTerm, default_change_reason="轮次", default_date=_at(ROTATION))
    terms = {(t.team_id, t.number): t for t in TeamTerm.objects.filter(team__in=teams)}
    # 287 members in place: every team has a 第一书记 and a 队员, 71 of them also a 队长.
    three = set(rng.sample(range(TEAMS), MEMBERS - 2 * TEAMS))
    members, handovers = [], []
    for index, team in enumerate(teams):
        for number in (1, 2):
            roles = [MemberRole.FIRST_SECRETARY, MemberRole.MEMBER]
            if index in three or number == 1 and rng.random() < 0.5:
                roles.insert(1, MemberRole.LEADER)
            names = set()
            for role in roles:
                name = _name(rng)
                while name in names:
                    name = _name(rng)
                names.add(name)
                members.append(
                    TeamMember(
                        term=terms[(team.pk, number)],
                        name=name,
                        role=role,
                        unit=f"{team.dispatching_unit}{'干部' if role == MemberRole.MEMBER else '科级干部'}",
                        # Phone numbers only for the members in place: the ones people need to reach.
                        phone=_phone(rng) if number == 2 else "",
                    )
                )
        outgoing = next(
            m for m in members[::-1] if m.term.pk == terms[(team.pk, 1)].pk and m.role == MemberRole.FIRST_SECRETARY
        )
        incoming = next(
            m for m in members[::-1] if m.term.pk == terms[(team.pk, 2)].pk and m.role == MemberRole.FIRST_SECRETARY
        )
        handovers.append(
            Handover(
                outgoing=terms[(team.pk, 1)],
                incoming=terms[(team.pk, 2)],
                handed_over_on=ROTATION,
                items=rng.sample(HANDOVER_ITEMS, rng.randint(4, len(HANDOVER_ITEMS))),
                outgoing_signatory=outgoing.name,
                incoming_signatory=incoming.name,
                created_at=_at(ROTATION),
            )
        )
    bulk_create_with_history(members, TeamMember, default_change_reason="到岗", default_date=_at(ROTATION))
    bulk_create_with_history(handovers, Handover, default_change_reason="轮换交接", default_date=_at(ROTATION))
    return len(teams)


# --- 定向培养, 全员培训 --------------------------------------------------------------------------
def _seed_students(rng: random.Random, villages: list[Village]) -> int:
    if Student.objects.exists():
        return 0
    townships = list(Township.objects.order_by("code"))
    by_township: dict[int, list[Village]] = {}
    for v in villages:
        by_township.setdefault(v.township_id, []).append(v)
    used: set[int] = set()
    left = set(rng.sample(range(GRADUATES), LEFT))
    students, graduate_index = [], 0
    for year, count in INTAKES.items():
        graduated = year + 3 if year + 3 <= 2024 else None
        names: set[tuple[int, str]] = set()
        for _ in range(count):
            township = rng.choice(townships)
            name = _name(rng)
            while (township.pk, name) in names:
                name = _name(rng)
            names.add((township.pk, name))
            village, status = None, StudentStatus.STUDYING
            if graduated:
                free = [v for v in by_township[township.pk] if v.pk not in used] or by_township[township.pk]
                village = rng.choice(free)
                used.add(village.pk)
                status = StudentStatus.LEFT if graduate_index in left else StudentStatus.SERVING
                graduate_index += 1
            students.append(
                Student(
                    name=name,
                    township=township,
                    enrolled_year=year,
                    major=rng.choice(MAJORS),
                    graduated_year=graduated,
                    village=village,
                    status=status,
                    phone=_phone(rng),
                )
            )
    bulk_create_with_history(
        students, Student, default_change_reason="登记定向培养生", default_date=_at(date(2024, 7, 1))
    )
    return len(students)


def _seed_training(rng: random.Random, villages: list[Village]) -> int:
    if TrainingSession.objects.filter(kind=TrainingKind.ALL_STAFF).exists():
        return 0
    sessions = []
    for number in range(1, 7):
        start = date(2023, 3, 6) + timedelta(weeks=2 * (number - 1))
        sessions.append(
            TrainingSession(
                title=f"2023年全市村党组织书记和村委会主任全员培训(第{number}期)",
                kind=TrainingKind.ALL_STAFF,
                organiser="市委组织部、市委党校",
                started_on=start,
                ended_on=start + timedelta(days=2),
                hours=Decimal("24.0"),
            )
        )
    sessions = bulk_create_with_history(sessions, TrainingSession, default_change_reason="登记培训班")
    sessions = list(TrainingSession.objects.filter(kind=TrainingKind.ALL_STAFF).order_by("started_on"))
    rows = []
    for index, village in enumerate(villages):
        session = sessions[index * len(sessions) // len(villages)]
        if rng.random() < 0.9:
            rows.append(
                Attendance(
                    session=session,
                    village=village,
                    name=_name(rng),
                    position=TraineePosition.BOTH,
                    hours=session.hours,
                )
            )
        else:
            secretary, director = _name(rng), _name(rng)
            while director == secretary:
                director = _name(rng)
            rows.append(
                Attendance(
                    session=session,
                    village=village,
                    name=secretary,
                    position=TraineePosition.SECRETARY,
                    hours=session.hours,
                )
            )
            rows.append(
                Attendance(
                    session=session,
                    village=village,
                    name=director,
                    position=TraineePosition.DIRECTOR,
                    hours=session.hours - Decimal(rng.choice((0, 0, 4))),
                )
            )
    bulk_create_with_history(rows, Attendance, default_change_reason="登记参训", default_date=_at(date(2023, 6, 30)))
    return len(rows)


# --- 建言献策 -------------------------------------------------------------------------------------
def _seed_suggestions(rng: random.Random, villages: list[Village]) -> int:
    if Suggestion.objects.filter(code__startswith="JY2023").exists():
        return 0
    start = date(2023, 6, 1)
    days = (date(2024, 5, 31) - start).days
    rows = []
    per_year: dict[int, int] = {}
    for _ in range(SUGGESTIONS):
        category = rng.choice(SuggestionCategory.values)
        village = rng.choice(villages)
        title = rng.choice(SUGGESTION_TOPICS[category]).format(x=rng.choice(PLACES))
        source = _weighted(rng, SOURCE_WEIGHTS)
        status = _weighted(rng, STATUS_WEIGHTS)
        submitted = _at(start + timedelta(days=rng.randrange(days)), rng.randint(8, 17))
        per_year[submitted.year] = per_year.get(submitted.year, 0) + 1
        triaged = submitted + timedelta(days=rng.randint(2, 10)) if status != SuggestionStatus.SUBMITTED else None
        decided = (
            triaged + timedelta(days=rng.randint(5, 30)) if triaged and status != SuggestionStatus.TRIAGED else None
        )
        published = decided + timedelta(days=3) if status == SuggestionStatus.PROMOTED and rng.random() < 0.6 else None
        rows.append(
            Suggestion(
                code="",
                title=title,
                text=f"{title}。{village.township.name}{village.name}的做法可供参考:先摸清底数,再选准项目,由村集体经济合作社统一经营,收益按比例分配。",
                category=category,
                source=source,
                author=_name(rng),
                county_id=village.township.county_id,
                township_id=village.township_id,
                village=village,
                status=status,
                submitted_at=submitted,
                triage_note="情况属实,建议可行,报市委组织部。" if triaged else "",
                triaged_at=triaged,
                reply=REPLIES.get(status, "") if decided else "",
                decided_at=decided,
                published_at=published,
            )
        )
    rows.sort(key=lambda s: s.submitted_at)
    seq: dict[int, int] = {}
    for s in rows:
        year = s.submitted_at.year
        seq[year] = seq.get(year, 0) + 1
        s.code = f"JY{year}{seq[year]:05d}"
    bulk_create_with_history(rows, Suggestion, default_change_reason="提交建议", default_date=_at(date(2024, 5, 31)))
    return len(rows)


# --- 评估调研, 考核权重 ----------------------------------------------------------------------------
def _seed_survey(rng: random.Random) -> int:
    if not FindingCategory.objects.exists():
        bulk_create_with_history(
            [FindingCategory(name=n, order=i, clue_category=c) for i, (n, c) in enumerate(FINDING_CATEGORIES, 1)],
            FindingCategory,
            default_change_reason="七类问题",
        )
    if Survey.objects.filter(name=SURVEY_NAME).exists():
        return 0
    draw = sampling.draw(seed=SURVEY_SEED, tier_year=2022, township_count=18, village_count=37, group_count=3)
    survey = Survey(
        name=SURVEY_NAME,
        seed=SURVEY_SEED,
        tier_year=2022,
        township_count=18,
        village_count=37,
        group_count=3,
        drawn_at=_at(date(2023, 8, 15)),
    )
    survey._change_reason = f"抽样(种子 {SURVEY_SEED})"
    survey.save()
    SurveyTownship.objects.bulk_create(
        SurveyTownship(survey=survey, township_id=t.township_id, group=t.group) for t in draw.townships
    )
    SurveyVillage.objects.bulk_create(
        SurveyVillage(survey=survey, village_id=v.village_id, tier=v.tier, group=v.group) for v in draw.villages
    )
    categories = list(FindingCategory.objects.order_by("order"))
    findings = []
    for index, drawn in enumerate(draw.villages):
        # Every category turns up (the first seven villages take one each), then two or three more per village.
        picks = {index % len(categories)} | set(rng.sample(range(len(categories)), rng.randint(1, 2)))
        for k in sorted(picks):
            findings.append(
                Finding(
                    survey=survey,
                    village_id=drawn.village_id,
                    category=categories[k],
                    description=FINDING_TEXT[k],
                    recorded_at=_at(date(2023, 9, 1)),
                )
            )
    bulk_create_with_history(
        findings, Finding, default_change_reason="登记调研发现", default_date=_at(date(2023, 9, 1))
    )
    return len(findings)


def _seed_weights() -> int:
    if WeightRule.objects.exists():
        return 0
    rule = WeightRule(
        version=1,
        weights=DEFAULT_WEIGHTS,
        note="首版:年终验收目标 30、清零 20、层级提升 20、线索整改 15、软弱涣散整顿 10、三资预警 5",
    )
    rule._change_reason = "制定权重第 1 版"
    rule.save()
    return 1


@transaction.atomic
def seed(*, stdout=None) -> str:
    villages = _villages()
    if not villages:
        return "没有区划数据,跳过"
    rng = random.Random(SEED)
    teams = _seed_teams(rng, villages)
    students = _seed_students(rng, villages)
    attendance = _seed_training(rng, villages)
    suggestions = _seed_suggestions(rng, villages)
    findings = _seed_survey(rng)
    weights = _seed_weights()
    return (
        f"工作队 {teams} 支、定向培养生 {students} 名、参训记录 {attendance} 条、建议 {suggestions} 条、"
        f"调研发现 {findings} 条、考核权重 {weights} 版(新增)"
    )
