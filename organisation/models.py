"""党建引领: the organisation department's own work.

驻村工作队 (teams, their terms, members and handovers), 村干部定向培养 and 全员培训, 建言献策
suggestions, 评估调研 sampled surveys with findings, and the 考核 assessment sheets computed from
the portal's data under a versioned weight rule.

Personal data: names, roles and (optionally) a phone number; never an ID-card number. Phone
numbers are shown masked outside the person's own county (organisation.selectors.phone_shown).
Every table keeps its history (django-simple-history).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from villages.models import County, Township, Village


def _user_fk(verbose_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


PHONE_VALIDATOR_RE = r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$"


# --- 驻村工作队 ---------------------------------------------------------------------------------
class WorkTeam(models.Model):
    """A 驻村帮扶工作队: sent by a 派出单位 to a village (驻点村), possibly helping neighbouring ones.

    Its people serve in terms (TeamTerm); a rotation closes the current term and opens the next
    with a handover record, so the village's history of teams is complete."""

    code = models.CharField("工作队编号", max_length=20)
    name = models.CharField("工作队名称", max_length=100)
    dispatching_unit = models.CharField("派出单位", max_length=100)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="work_teams", verbose_name="驻点村")
    other_villages = models.ManyToManyField(
        Village, blank=True, related_name="helped_by_teams", verbose_name="其他帮扶村"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = _user_fk("登记人")
    history = HistoricalRecords(m2m_fields=[other_villages])

    class Meta:
        verbose_name = verbose_name_plural = "驻村工作队"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], name="work_team_code_unique", violation_error_message="工作队编号重复。"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamTerm(models.Model):
    """One term (轮次) of a team. The open term has no end date; a team has at most one open term."""

    team = models.ForeignKey(WorkTeam, on_delete=models.PROTECT, related_name="terms", verbose_name="工作队")
    number = models.PositiveSmallIntegerField("轮次")
    started_on = models.DateField("到岗日期")
    ended_on = models.DateField("轮换离岗日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "工作队轮次"
        ordering = ["team", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="team_term_number_unique"),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(ended_on__isnull=True),
                name="team_one_open_term",
                violation_error_message="一个工作队同时只能有一个在岗轮次。",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="team_term_end_after_start",
                violation_error_message="离岗日期不能早于到岗日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} 第{self.number}轮"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class MemberRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", "第一书记"
    LEADER = "leader", "队长"
    MEMBER = "member", "队员"


class TeamMember(models.Model):
    """A member of one term. No ID-card number is ever stored."""

    term = models.ForeignKey(TeamTerm, on_delete=models.PROTECT, related_name="members", verbose_name="轮次")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职务", max_length=16, choices=MemberRole.choices)
    unit = models.CharField("所在单位及职务", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "工作队员"
        ordering = ["term", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(role="first_secretary"),
                name="team_one_first_secretary",
                violation_error_message="每一轮只能有一名第一书记。",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=PHONE_VALIDATOR_RE),
                name="team_member_phone_format",
                violation_error_message="联系电话格式不正确(11 位手机号或带区号的座机)。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_role_display()})"


class Handover(models.Model):
    """交接清单 of a rotation: what the outgoing term handed to the incoming one, signed by both."""

    outgoing = models.OneToOneField(
        TeamTerm, on_delete=models.PROTECT, related_name="handover_out", verbose_name="交出轮次"
    )
    incoming = models.OneToOneField(
        TeamTerm, on_delete=models.PROTECT, related_name="handover_in", verbose_name="接收轮次"
    )
    handed_over_on = models.DateField("交接日期")
    items = models.JSONField("交接事项", default=list)
    outgoing_signatory = models.CharField("交出方签字", max_length=50)
    incoming_signatory = models.CharField("接收方签字", max_length=50)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = _user_fk("登记人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "轮换交接"
        ordering = ["-handed_over_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outgoing_signatory="") & ~Q(incoming_signatory=""),
                name="handover_signed_by_both",
                violation_error_message="交接清单须由交出方和接收方签字。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.outgoing.team} 第{self.outgoing.number}→{self.incoming.number}轮交接"


# --- 定向培养, 全员培训 --------------------------------------------------------------------------
class StudentStatus(models.TextChoices):
    STUDYING = "studying", "在读"
    SERVING = "serving", "在岗"
    AWAITING = "awaiting", "待分配"
    LEFT = "left", "已离岗"


class Student(models.Model):
    """村干部定向培养生: recruited for a township, trained, graduated and assigned to a village."""

    name = models.CharField("姓名", max_length=50)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="students", verbose_name="定向乡镇")
    enrolled_year = models.PositiveSmallIntegerField("入学年份")
    major = models.CharField("专业", max_length=50)
    graduated_year = models.PositiveSmallIntegerField("毕业年份", null=True, blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="students", verbose_name="分配到村"
    )
    status = models.CharField("在岗状态", max_length=10, choices=StudentStatus.choices, default=StudentStatus.STUDYING)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "定向培养生"
        ordering = ["township", "enrolled_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "enrolled_year", "name"],
                name="student_unique_in_cohort",
                violation_error_message="该乡镇该年级已有同名定向培养生。",
            ),
            models.CheckConstraint(
                condition=Q(graduated_year__isnull=True) | Q(graduated_year__gt=F("enrolled_year")),
                name="student_graduates_after_enrolment",
                violation_error_message="毕业年份须晚于入学年份。",
            ),
            # Only a graduate is assigned; studying means not graduated; serving means assigned.
            models.CheckConstraint(
                condition=(Q(status="studying", graduated_year__isnull=True, village__isnull=True))
                | (Q(status="awaiting", graduated_year__isnull=False, village__isnull=True))
                | (Q(status__in=["serving", "left"], graduated_year__isnull=False, village__isnull=False)),
                name="student_status_consistent",
                violation_error_message="在读的未毕业、未分配;待分配的已毕业;在岗或离岗的须已毕业并分配到村。",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=PHONE_VALIDATOR_RE),
                name="student_phone_format",
                violation_error_message="联系电话格式不正确(11 位手机号或带区号的座机)。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.enrolled_year}级)"


class TrainingKind(models.TextChoices):
    ALL_STAFF = "all_staff", "全员培训"
    TOPIC = "topic", "专题培训"


class TrainingSession(models.Model):
    """A training class (全员培训 of village party secretaries and committee directors, or a topic)."""

    title = models.CharField("培训班名称", max_length=100)
    kind = models.CharField("培训类型", max_length=10, choices=TrainingKind.choices, default=TrainingKind.ALL_STAFF)
    organiser = models.CharField("主办单位", max_length=100)
    started_on = models.DateField("开班日期")
    ended_on = models.DateField("结业日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "培训班"
        ordering = ["-started_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["title"], name="training_title_unique", violation_error_message="培训班名称重复。"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__gte=F("started_on")),
                name="training_end_after_start",
                violation_error_message="结业日期不能早于开班日期。",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="training_hours_positive", violation_error_message="学时须大于 0。"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TraineePosition(models.TextChoices):
    SECRETARY = "secretary", "村党组织书记"
    DIRECTOR = "director", "村委会主任"
    BOTH = "both", "书记、主任“一肩挑”"
    OTHER = "other", "其他村干部"


class Attendance(models.Model):
    """Who attended a session, from which village, for how many hours. A person is a name in a village."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendance", verbose_name="培训班"
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="training_attendance", verbose_name="村(社区)"
    )
    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=10, choices=TraineePosition.choices)
    hours = models.DecimalField("参训学时", max_digits=5, decimal_places=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "参训记录"
        ordering = ["session", "village", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "village", "name"],
                name="attendance_once_per_session",
                violation_error_message="此人已在该培训班的参训名单中。",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="attendance_hours_positive", violation_error_message="参训学时须大于 0。"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.session}"


# --- 建言献策 -------------------------------------------------------------------------------------
class SuggestionSource(models.TextChoices):
    TOWNSHIP_CADRE = "township_cadre", "乡镇干部"
    VILLAGE_COMMITTEE = "village_committee", "村“两委”成员"
    TEAM_MEMBER = "team_member", "驻村工作队员"
    REPRESENTATIVE = "representative", "村(居)民代表"


class SuggestionCategory(models.TextChoices):
    INDUSTRY = "industry", "产业发展"
    RESOURCES = "resources", "资源盘活"
    ASSETS = "assets", "三资管理"
    TALENT = "talent", "人才队伍"
    FINANCE = "finance", "金融与政策"
    MECHANISM = "mechanism", "机制创新"


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    TRIAGED = "triaged", "已初审"
    ADOPTED = "adopted", "采纳"
    PROMOTED = "promoted", "推广"
    DECLINED = "declined", "不采纳"


DECIDED = (SuggestionStatus.ADOPTED, SuggestionStatus.PROMOTED, SuggestionStatus.DECLINED)


class Suggestion(models.Model):
    """A 献策 suggestion: submitted by anyone in the portal, triaged by the township or county,
    decided by the city; an adopted or promoted one may be published as a 金点子."""

    code = models.CharField("编号", max_length=20)
    title = models.CharField("标题", max_length=100)
    text = models.TextField("内容")
    category = models.CharField("类别", max_length=12, choices=SuggestionCategory.choices)
    source = models.CharField("建议人身份", max_length=20, choices=SuggestionSource.choices)
    author = models.CharField("建议人", max_length=50)
    # Where it comes from; decides who sees it (a county sees its own, a township its own).
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县市区"
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="乡镇(街道)"
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name="涉及村(社区)",
    )
    status = models.CharField(
        "状态", max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    submitted_by = _user_fk("提交人")
    triage_note = models.TextField("初审意见", blank=True)
    triaged_at = models.DateTimeField("初审时间", null=True, blank=True)
    triaged_by = _user_fk("初审人")
    reply = models.TextField("市级答复", blank=True)
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    decided_by = _user_fk("办理人")
    published_at = models.DateTimeField("发布为金点子时间", null=True, blank=True)
    published_by = _user_fk("发布人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "建言献策"
        ordering = ["-submitted_at", "-code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="suggestion_code_unique"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status__in=["adopted", "promoted"]),
                name="suggestion_published_only_if_adopted",
                violation_error_message="只有采纳或推广的建议可以发布为金点子。",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | ~Q(reply=""),
                name="suggestion_decision_has_reply",
                violation_error_message="市级办理须有答复。",
            ),
            models.CheckConstraint(
                condition=Q(township__isnull=True) | Q(county__isnull=False),
                name="suggestion_township_has_county",
            ),
        ]
        indexes = [models.Index(fields=["status", "source"], name="suggestion_status_source_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# --- 评估调研 -------------------------------------------------------------------------------------
class FindingCategory(models.Model):
    """One of the survey's problem categories (七类问题), edited by the city. A finding turned into a
    rectification clue takes the clue category set here."""

    name = models.CharField("问题类别", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)
    clue_category = models.CharField("转线索时的线索类别", max_length=16)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "调研问题类别"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], name="finding_category_name_unique", violation_error_message="已有同名问题类别。"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """An 评估调研 with its stratified random sample. The seed and the tier year are recorded, so the
    same draw can be repeated and checked."""

    name = models.CharField("调研名称", max_length=100)
    seed = models.BigIntegerField("随机种子")
    tier_year = models.PositiveSmallIntegerField("分层所依年度")
    township_count = models.PositiveSmallIntegerField("抽取乡镇数")
    village_count = models.PositiveSmallIntegerField("抽取村数")
    group_count = models.PositiveSmallIntegerField("调研组数")
    drawn_at = models.DateTimeField("抽样时间", default=timezone.now)
    drawn_by = _user_fk("抽样人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "评估调研"
        ordering = ["-drawn_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], name="survey_name_unique", violation_error_message="已有同名调研。"
            ),
            models.CheckConstraint(
                condition=Q(township_count__gt=0) & Q(village_count__gte=F("township_count")) & Q(group_count__gt=0),
                name="survey_counts_sane",
                violation_error_message="乡镇数须大于 0,村数不少于乡镇数,调研组数须大于 0。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyTownship(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="townships", verbose_name="调研")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇(街道)")
    group = models.PositiveSmallIntegerField("调研组")

    class Meta:
        verbose_name = verbose_name_plural = "样本乡镇"
        ordering = ["survey", "group", "township__code"]
        constraints = [models.UniqueConstraint(fields=["survey", "township"], name="survey_township_once")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.township}"


class SurveyVillage(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="villages", verbose_name="调研")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name="村(社区)")
    tier = models.CharField("收入层级", max_length=10)
    group = models.PositiveSmallIntegerField("调研组")

    class Meta:
        verbose_name = verbose_name_plural = "样本村"
        ordering = ["survey", "group", "village__code"]
        constraints = [models.UniqueConstraint(fields=["survey", "village"], name="survey_village_once")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.village}"


class Finding(models.Model):
    """A problem a survey group found in a sampled village; may become a rectification clue."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="findings", verbose_name="调研")
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="survey_findings", verbose_name="村(社区)"
    )
    category = models.ForeignKey(
        FindingCategory, on_delete=models.PROTECT, related_name="findings", verbose_name="问题类别"
    )
    description = models.TextField("问题描述")
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)
    recorded_by = _user_fk("登记人")
    clue = models.OneToOneField(
        "rectification.Clue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="转成的线索",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "调研发现问题"
        ordering = ["survey", "village__code", "pk"]

    def __str__(self) -> str:
        return f"{self.village} · {self.category}"


# --- 考核 ---------------------------------------------------------------------------------------
class AssessmentKind(models.TextChoices):
    COUNTY = "county", "乡村振兴实绩考核(县市区)"
    TOWNSHIP_SECRETARY = "township_secretary", "抓基层党建述职评议(乡镇党委书记)"
    COUNTY_SECRETARY = "county_secretary", "抓基层党建述职评议(县市区委书记)"
    VILLAGE_SECRETARY = "village_secretary", "村党组织书记“双述双评”"
    TEAM = "team", "驻村工作队年度考核"


class WeightRule(models.Model):
    """The scoring weights, a versioned rule: the city edits it by saving a new version; a version
    is never changed, so a score always names the weights it was computed with."""

    version = models.PositiveIntegerField("版本")
    weights = models.JSONField("指标权重")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = _user_fk("创建人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "考核权重版本"
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["version"], name="weight_rule_version_unique")]

    def __str__(self) -> str:
        return f"权重第 {self.version} 版"


class AssessmentRun(models.Model):
    """The sheet of one kind for one year under one weight version, computed once and kept as is."""

    year = models.PositiveSmallIntegerField("考核年度")
    kind = models.CharField("考核类别", max_length=20, choices=AssessmentKind.choices)
    rule = models.ForeignKey(WeightRule, on_delete=models.PROTECT, related_name="runs", verbose_name="权重版本")
    computed_at = models.DateTimeField("计算时间", default=timezone.now)
    computed_by = _user_fk("计算人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "考核计算"
        ordering = ["-year", "kind", "-rule__version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "rule"],
                name="assessment_once_per_version",
                violation_error_message="该年度该类考核已按此权重版本计算过(结果不可更改)。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.get_kind_display()}(权重第 {self.rule.version} 版)"


class AssessmentScore(models.Model):
    """One subject's computed indicators and score in a run."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="scores", verbose_name="考核计算")
    subject_code = models.CharField("对象编码", max_length=20)
    subject_name = models.CharField("考核对象", max_length=100)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县市区")
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="乡镇(街道)"
    )
    village_count = models.PositiveIntegerField("涉及村数")
    indicators = models.JSONField("指标得分")
    score = models.DecimalField("集体经济指标得分", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "考核得分"
        ordering = ["run", "-score", "subject_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "subject_code"], name="assessment_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=Decimal("0")) & Q(score__lte=Decimal("100")),
                name="assessment_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.score}"
