"""Targets (目标任务分解), the year-end acceptance (年终验收) and its joint sign-off (联合验收).

A TargetPlan holds the year's city targets, the reward settings and, through CountyTarget, each
county's allocation. An AcceptanceRun is one computation of the acceptance: its inputs (the plan as
JSON) and results are frozen when it finishes, and a new computation is a new version.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from loudi_portal.money import YuanModelField
from villages.models import County, Role, Village

ZERO = Decimal("0.00")

# The seed's 2024 "倍增行动" targets. They are only the defaults of a new plan.
DEFAULT_CLEARING_THRESHOLD = Decimal("50000.00")
DEFAULT_SHARE_THRESHOLD = Decimal("100000.00")
DEFAULT_SHARE_REQUIRED = Decimal("0.6000")
DEFAULT_COUNT_500K_THRESHOLD = Decimal("500000.00")
DEFAULT_COUNT_500K_REQUIRED = 100
DEFAULT_COUNT_1M_THRESHOLD = Decimal("1000000.00")
DEFAULT_COUNT_1M_REQUIRED = 20
DEFAULT_REWARD_BUDGET = Decimal("10000000.00")
DEFAULT_AWARD_PER_COUNTY = Decimal("2000000.00")
DEFAULT_MATCHING_RATIO = Decimal("1.0000")


def _share(verbose_name: str, **kwargs) -> models.DecimalField:
    # A fraction: 0.6000 is 60%.
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=4, **kwargs)


class OverBudgetPolicy(models.TextChoices):
    SCALE = "scale", "按预算等比例缩减(每县奖补 × 预算 ÷ 合计,向下取整到分)"
    FULL = "full", "足额奖补(超出预算部分由市财政追加)"


class TargetPlan(models.Model):
    """The year's targets for the city, and the reward settings (以奖代投)."""

    year = models.PositiveSmallIntegerField("年度")
    clearing_threshold = YuanModelField("清零线(总收入,元)", default=DEFAULT_CLEARING_THRESHOLD)
    share_threshold = YuanModelField("占比指标线(经营性收入,元)", default=DEFAULT_SHARE_THRESHOLD)
    share_required = _share("要求占比", default=DEFAULT_SHARE_REQUIRED)
    count_500k_threshold = YuanModelField("50万元村指标线(经营性收入,元)", default=DEFAULT_COUNT_500K_THRESHOLD)
    count_500k_required = models.PositiveIntegerField("50万元以上村数(个)", default=DEFAULT_COUNT_500K_REQUIRED)
    count_1m_threshold = YuanModelField("100万元村指标线(经营性收入,元)", default=DEFAULT_COUNT_1M_THRESHOLD)
    count_1m_required = models.PositiveIntegerField("100万元以上村数(个)", default=DEFAULT_COUNT_1M_REQUIRED)
    reward_budget = YuanModelField("市级奖补预算(元)", default=DEFAULT_REWARD_BUDGET)
    award_per_county = YuanModelField("达标县市区奖补标准(元)", default=DEFAULT_AWARD_PER_COUNTY)
    matching_ratio = models.DecimalField(
        "县级配套比例(每 1 元市级奖补)", max_digits=6, decimal_places=4, default=DEFAULT_MATCHING_RATIO
    )
    over_budget_policy = models.CharField(
        "超出预算时", max_length=10, choices=OverBudgetPolicy.choices, default=OverBudgetPolicy.SCALE
    )
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    history = HistoricalRecords()

    # Django formats a constraint's message with "%" (for %(name)s): a literal percent sign is "%%".
    class Meta:
        verbose_name = verbose_name_plural = "年度目标任务"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["year"], name="target_plan_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="target_plan_year_range",
                violation_error_message="年度无效。",
            ),
            models.CheckConstraint(
                condition=Q(share_required__gte=0, share_required__lte=1),
                name="target_plan_share_0_1",
                violation_error_message="要求占比应在 0%% 到 100%% 之间。",
            ),
            models.CheckConstraint(
                condition=Q(count_500k_required__gte=0, count_1m_required__gte=0),
                name="target_plan_counts_not_negative",
                violation_error_message="村数指标不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(
                    clearing_threshold__gte=0,
                    share_threshold__gte=0,
                    count_500k_threshold__gte=0,
                    count_1m_threshold__gte=0,
                    reward_budget__gte=0,
                    award_per_county__gte=0,
                    matching_ratio__gte=0,
                ),
                name="target_plan_amounts_not_negative",
                violation_error_message="金额与配套比例不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度目标任务"


class CountyTarget(models.Model):
    """A county's allocation of the year's targets (目标任务分解).

    Thresholds and the share left empty follow the city's; the two counts are set per county.
    """

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="county_targets", verbose_name="年度")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县市区")
    clearing_threshold = YuanModelField("清零线(总收入,元)", null=True, blank=True)
    share_threshold = YuanModelField("占比指标线(经营性收入,元)", null=True, blank=True)
    share_required = _share("要求占比", null=True, blank=True)
    count_500k_threshold = YuanModelField("50万元村指标线(元)", null=True, blank=True)
    count_500k_required = models.PositiveIntegerField("50万元以上村数(个)", default=0)
    count_1m_threshold = YuanModelField("100万元村指标线(元)", null=True, blank=True)
    count_1m_required = models.PositiveIntegerField("100万元以上村数(个)", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "县市区目标分解"
        ordering = ["plan", "county__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "county"], name="county_target_one_per_plan"),
            models.CheckConstraint(
                condition=Q(share_required__isnull=True) | Q(share_required__gte=0, share_required__lte=1),
                name="county_target_share_0_1",
                violation_error_message="要求占比应在 0%% 到 100%% 之间。",
            ),
            models.CheckConstraint(
                condition=Q(count_500k_required__gte=0, count_1m_required__gte=0),
                name="county_target_counts_not_negative",
                violation_error_message="村数指标不能为负数。",
            ),
            models.CheckConstraint(
                condition=(Q(clearing_threshold__isnull=True) | Q(clearing_threshold__gte=0))
                & (Q(share_threshold__isnull=True) | Q(share_threshold__gte=0))
                & (Q(count_500k_threshold__isnull=True) | Q(count_500k_threshold__gte=0))
                & (Q(count_1m_threshold__isnull=True) | Q(count_1m_threshold__gte=0)),
                name="county_target_amounts_not_negative",
                violation_error_message="指标线金额不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.year} 年 {self.county.name}目标"

    INHERITED = (
        "clearing_threshold",
        "share_threshold",
        "share_required",
        "count_500k_threshold",
        "count_1m_threshold",
    )

    def effective(self, name: str):
        """The value that applies: the county's own, or the city's when left empty."""
        value = getattr(self, name)
        if value is None and name in self.INHERITED:
            return getattr(self.plan, name)
        return value


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class AcceptanceRun(models.Model):
    """One computation of a year's acceptance. Never edited once done: a re-run is a new version."""

    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("版本")
    plan = models.ForeignKey(TargetPlan, on_delete=models.PROTECT, related_name="runs", verbose_name="目标任务")
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    error = models.TextField("失败原因", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始计算", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("计算次数", default=0)
    # Inputs as they were when the run was started (the plan's effective targets per unit).
    plan_snapshot = models.JSONField("目标快照", default=dict)
    # Exactly the `run_acceptance --json` document.
    results = models.JSONField("验收结果", null=True, blank=True)
    # What the pages and the workbook show beyond it: tier counts, closest villages, reward maths.
    details = models.JSONField("验收明细", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["plan_snapshot", "results", "details"])

    class Meta:
        verbose_name = verbose_name_plural = "年终验收计算"
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="acceptance_run_year_version_unique"),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="acceptance_run_version_positive",
                violation_error_message="版本号无效。",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.DONE) | Q(results__isnull=False, finished_at__isnull=False),
                name="acceptance_run_done_has_results",
                violation_error_message="已完成的验收必须有结果。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度验收第 {self.version} 版"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


# A village row as the API and the workbook show it, in this order.
VILLAGE_RESULT_FIELDS = (
    "county_code",
    "county_name",
    "township_code",
    "township_name",
    "village_code",
    "village_name",
    "kind",
    "approved",
    "operating_revenue",
    "contracting_revenue",
    "investment_income",
    "subsidy_income",
    "other_income",
    "total_income",
    "operating_income",
    "tier",
    "below_clearing",
    "note",
)


class AcceptanceVillageResult(models.Model):
    """A village's figures as the run counted them (approved report only), written by the run in one
    INSERT … SELECT; the run's figures are aggregates of these rows.

    The two links carry no database foreign key: the rows are copied by the database from the
    village table in the run's own transaction (every reference exists by construction), and the
    per-row checks of two deferred keys cost more than writing the rows (about 1.5 s at commit for
    26,000 villages). Django still protects a village in a run and deletes a run's rows with it;
    the unique (run, village) index serves every read by run."""

    run = models.ForeignKey(
        AcceptanceRun, on_delete=models.CASCADE, related_name="village_results", db_constraint=False, db_index=False
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="村(社区)",
        db_constraint=False,
        db_index=False,
    )
    county_code = models.CharField("县市区代码", max_length=6)
    county_name = models.CharField("县市区", max_length=50)
    township_code = models.CharField("乡镇代码", max_length=9)
    township_name = models.CharField("乡镇(街道)", max_length=50)
    village_code = models.CharField("村(社区)代码", max_length=12)
    village_name = models.CharField("村(社区)", max_length=50)
    kind = models.CharField("类型", max_length=4)
    approved = models.BooleanField("有已审核报告")
    operating_revenue = YuanModelField("经营收入", null=True)
    contracting_revenue = YuanModelField("发包及上交收入", null=True)
    investment_income = YuanModelField("投资收益", null=True)
    subsidy_income = YuanModelField("补助收入", null=True)
    other_income = YuanModelField("其他收入", null=True)
    total_income = models.DecimalField("总收入", max_digits=16, decimal_places=2, null=True)
    operating_income = models.DecimalField("经营性收入", max_digits=16, decimal_places=2, null=True)
    tier = models.CharField("档次", max_length=10)
    below_clearing = models.BooleanField("低于清零线")
    note = models.TextField("备注", blank=True)
    # For the run's status counts and growth: the year's report status ("" without a report) and
    # the approved 总收入 of the year before (NULL without one).
    report_status = models.CharField("报告状态", max_length=10, blank=True, default="")
    previous_total_income = models.DecimalField("上年总收入", max_digits=16, decimal_places=2, null=True)

    class Meta:
        verbose_name = verbose_name_plural = "验收村级明细"
        ordering = ["village_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "village"], name="acceptance_result_one_per_village"),
            models.CheckConstraint(
                condition=Q(approved=True) | Q(total_income__isnull=True, operating_income__isnull=True),
                name="acceptance_result_figures_only_if_approved",
                violation_error_message="只有已审核的报告计入验收。",
            ),
            models.CheckConstraint(
                condition=Q(approved=True, report_status="approved")
                | (Q(approved=False) & ~Q(report_status="approved")),
                name="acceptance_result_approved_status",
                violation_error_message="报告状态与是否已审核不一致。",
            ),
        ]
        indexes = [models.Index(fields=["run", "county_code"], name="acceptance_result_county_idx")]

    def __str__(self) -> str:
        return f"{self.run} · {self.village_name}"


SIGNOFF_ROLES = (Role.CITY_ORG, Role.AGRI_BUREAU, Role.FINANCE_BUREAU)


class AcceptanceSignoff(models.Model):
    """One of the three departments' confirmation of a run (联合验收)."""

    run = models.ForeignKey(AcceptanceRun, on_delete=models.PROTECT, related_name="signoffs", verbose_name="验收")
    role = models.CharField("部门", max_length=20, choices=[(r.value, r.label) for r in SIGNOFF_ROLES])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签署人"
    )
    signed_at = models.DateTimeField("签署时间", auto_now_add=True)
    comment = models.TextField("意见", blank=True)
    # The finance bureau confirms the reward amounts by typing the total it checked.
    confirmed_reward_total = YuanModelField("确认奖补总额(元)", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "联合验收签署"
        ordering = ["run", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "role"], name="acceptance_signoff_one_per_role"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in SIGNOFF_ROLES]),
                name="acceptance_signoff_role_valid",
                violation_error_message="只有市委组织部、市农业农村局、市财政局参与联合验收。",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.FINANCE_BUREAU) | Q(confirmed_reward_total__isnull=False),
                name="acceptance_signoff_finance_confirms_rewards",
                violation_error_message="市财政局须确认奖补总额。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.get_role_display()}"


class YearUnlock(models.Model):
    """An administrator's unlock of a closed year, with the reason (shown on the unlock page)."""

    year = models.PositiveSmallIntegerField("年度")
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="解锁人"
    )
    unlocked_at = models.DateTimeField("解锁时间", auto_now_add=True)
    reason = models.TextField("原因")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "年度解锁记录"
        ordering = ["-unlocked_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="year_unlock_reason_required", violation_error_message="解锁须填写原因。"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} 年解锁"


# The income check's defaults (收入核对): the city may change them on the check's page.
DEFAULT_CHECK_TOLERANCE = Decimal("1000.00")
DEFAULT_CHECK_EXCESS = Decimal("30000.00")
DEFAULT_CHECK_BAND = Decimal("0.1000")


class IncomeCheckSettings(models.Model):
    """The tolerances of the income-against-ledger check, set by the city (one row)."""

    tolerance = YuanModelField("账外收入容差(元)", default=DEFAULT_CHECK_TOLERANCE)
    excess = YuanModelField("虚增收入:超出台账来源(元)", default=DEFAULT_CHECK_EXCESS)
    band = _share("虚增收入:刚过指标线的幅度", default=DEFAULT_CHECK_BAND)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "收入核对设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1), name="income_check_settings_single", violation_error_message="只有一组收入核对设置。"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0, excess__gte=0, band__gte=0, band__lte=1),
                name="income_check_settings_ranges",
                violation_error_message="容差和金额不能为负数,幅度应在 0%% 到 100%% 之间。",
            ),
        ]

    def __str__(self) -> str:
        return "收入核对设置"
