"""The city's divisions, the officials who work on them, and each village's yearly income.

This app is the foundation: it knows nothing of assets, rectification or incentives.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from loudi_portal.money import YuanModelField

ZERO = Decimal("0.00")
# 财会〔2023〕14号 abolishes 发包及上交收入 from this year on.
CONTRACTING_ABOLISHED_FROM = 2024


class City(models.Model):
    """地级市: the prefecture a deployment serves (settings.PORTAL_CITY_CODE), named by `load_divisions`."""

    code = models.CharField(
        "区划代码", max_length=6, validators=[RegexValidator(r"^\d{4}00$", "地级市区划代码应为以 00 结尾的 6 位数字。")]
    )
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "地级市"
        constraints = [models.UniqueConstraint(fields=["code"], name="city_code_unique")]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """县市区 (county-level unit)."""

    code = models.CharField(
        "区划代码", max_length=6, validators=[RegexValidator(r"^\d{6}$", "区划代码应为 6 位数字。")]
    )
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "县市区"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="county_code_unique")]

    def __str__(self) -> str:
        return self.name


class Township(models.Model):
    """乡镇/街道."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="townships", verbose_name="县市区")
    code = models.CharField(
        "区划代码", max_length=9, validators=[RegexValidator(r"^\d{9}$", "区划代码应为 9 位数字。")]
    )
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "乡镇(街道)"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="township_code_unique")]

    def __str__(self) -> str:
        return self.name


class VillageKind(models.TextChoices):
    VILLAGE = "村", "村"
    COMMUNITY = "社区", "社区"


class Village(models.Model):
    """村/社区. Its kind is derived from the code: 0xx in the village segment is a 社区."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="villages", verbose_name="乡镇(街道)")
    code = models.CharField(
        "区划代码", max_length=12, validators=[RegexValidator(r"^\d{12}$", "区划代码应为 12 位数字。")]
    )
    name = models.CharField("名称", max_length=50)
    kind = models.GeneratedField(
        expression=models.Case(
            models.When(Exact(Substr("code", 10, 1), "0"), then=models.Value(VillageKind.COMMUNITY.value)),
            default=models.Value(VillageKind.VILLAGE.value),
        ),
        output_field=models.CharField(max_length=4, choices=VillageKind.choices),
        db_persist=True,
        verbose_name="类型",
    )

    class Meta:
        verbose_name = verbose_name_plural = "村(社区)"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="village_code_unique")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    TOWNSHIP_CLERK = "township_clerk", "乡镇填报员"
    COUNTY_REVIEWER = "county_reviewer", "县级审核员"
    CITY_ORG = "city_org", "市委组织部"
    AGRI_BUREAU = "agri_bureau", "市农业农村局"
    FINANCE_BUREAU = "finance_bureau", "市财政局"
    ADMIN = "admin", "系统管理员"


CITY_ROLES = (Role.CITY_ORG, Role.AGRI_BUREAU, Role.FINANCE_BUREAU, Role.ADMIN)


class Official(models.Model):
    """A portal user's role and scope: a township, a county, or the whole city."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    county = models.ForeignKey(County, on_delete=models.PROTECT, null=True, blank=True, verbose_name="县市区")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, null=True, blank=True, verbose_name="乡镇(街道)")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "用户角色与范围"
        constraints = [
            # The scope must match the role: a clerk has a township, a reviewer a county,
            # city-wide roles neither.
            models.CheckConstraint(
                condition=(
                    Q(role=Role.TOWNSHIP_CLERK, township__isnull=False, county__isnull=True)
                    | Q(role=Role.COUNTY_REVIEWER, county__isnull=False, township__isnull=True)
                    | Q(role__in=CITY_ROLES, county__isnull=True, township__isnull=True)
                ),
                name="official_scope_matches_role",
                violation_error_message="角色与管辖范围不匹配:乡镇填报员须指定乡镇,县级审核员须指定县市区,市级角色不指定。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()}({self.get_role_display()})"

    @property
    def scope_name(self) -> str:
        if self.township_id:
            return f"{self.township.county.name}{self.township.name}"
        if self.county_id:
            return self.county.name
        from .city import city_name

        return city_name()


class IncomeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已审核"


class IncomeReport(models.Model):
    """村级集体经济收入: one record per village per year, in yuan.

    总收入 and 经营性收入 are generated columns: derived by the database, never typed in, and
    available to set-based queries (acceptance, dashboards) without recomputing them in Python.
    A draft may leave an amount blank (NULL); its sums are then NULL too (未填), never a partial sum.
    """

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="income_reports", verbose_name="村(社区)"
    )
    year = models.PositiveSmallIntegerField("年度")
    # NULL is a blank a draft keeps (未填), never 0: submitting needs every amount (0 when there is
    # no such income), which income_amounts_filled_when_submitted holds for submitted and approved.
    operating_revenue = YuanModelField("经营收入", default=ZERO, null=True, blank=True)
    contracting_revenue = YuanModelField("发包及上交收入", default=ZERO, null=True, blank=True)
    investment_income = YuanModelField("投资收益", default=ZERO, null=True, blank=True)
    subsidy_income = YuanModelField("补助收入", default=ZERO, null=True, blank=True)
    other_income = YuanModelField("其他收入", default=ZERO, null=True, blank=True)
    total_income = models.GeneratedField(
        expression=F("operating_revenue")
        + F("contracting_revenue")
        + F("investment_income")
        + F("subsidy_income")
        + F("other_income"),
        output_field=models.DecimalField(max_digits=16, decimal_places=2),
        db_persist=True,
        verbose_name="总收入",
    )
    operating_income = models.GeneratedField(
        expression=F("operating_revenue") + F("contracting_revenue") + F("investment_income"),
        output_field=models.DecimalField(max_digits=16, decimal_places=2),
        db_persist=True,
        verbose_name="经营性收入",
    )
    note = models.TextField("备注", blank=True)
    status = models.CharField("状态", max_length=10, choices=IncomeStatus.choices, default=IncomeStatus.DRAFT)
    # Optimistic locking: every write bumps it; a write based on an older version is refused.
    version = models.PositiveIntegerField("版本", default=1)
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
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="退回人",
    )
    return_reason = models.TextField("退回原因", blank=True)
    history = HistoricalRecords(excluded_fields=["total_income", "operating_income", "updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "村级集体经济收入"
        ordering = ["village__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="income_one_report_per_village_year"),
            models.CheckConstraint(
                condition=Q(operating_revenue__gte=0)
                & Q(contracting_revenue__gte=0)
                & Q(investment_income__gte=0)
                & Q(subsidy_income__gte=0)
                & Q(other_income__gte=0),
                name="income_amounts_not_negative",
                violation_error_message="收入金额不能为负数。",
            ),
            models.CheckConstraint(
                # A blank is no answer for an abolished account: from 2024 on it is 0 even in a draft.
                condition=Q(year__lt=CONTRACTING_ABOLISHED_FROM)
                | Q(contracting_revenue__isnull=False, contracting_revenue=0),
                name="income_contracting_abolished_2024",
                violation_error_message="2024 年起发包及上交收入科目已取消(财会〔2023〕14号),应为 0。",
            ),
            models.CheckConstraint(
                condition=Q(status=IncomeStatus.DRAFT)
                | Q(
                    operating_revenue__isnull=False,
                    contracting_revenue__isnull=False,
                    investment_income__isnull=False,
                    subsidy_income__isnull=False,
                    other_income__isnull=False,
                ),
                name="income_amounts_filled_when_submitted",
                violation_error_message="已提交或已审核的报表须填写全部五项收入,没有此项收入请填 0。",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="income_year_range",
                violation_error_message="年度无效。",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"], name="income_year_status_idx")]

    def __str__(self) -> str:
        return f"{self.village.name} {self.year} 年收入"

    def set_generated_sums(self) -> None:
        """Set 总收入 and 经营性收入 as the database computes them on saving, so that a write need not
        read them back: sums of Decimal cents are exact, and NULL while one of their amounts is."""
        amounts = [
            self.operating_revenue,
            self.contracting_revenue,
            self.investment_income,
            self.subsidy_income,
            self.other_income,
        ]
        self.operating_income = None if None in amounts[:3] else sum(amounts[:3], ZERO)
        self.total_income = None if None in amounts else sum(amounts, ZERO)


class ClosedYear(models.Model):
    """A year whose acceptance is confirmed: its income reports are read-only for everybody.

    Closing and an audited unlock go through villages.services; the history keeps who and why.
    """

    year = models.PositiveSmallIntegerField("年度")
    closed_at = models.DateTimeField("关闭时间", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="关闭人",
    )
    reason = models.TextField("说明", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "已关账年度"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["year"], name="closed_year_unique")]

    def __str__(self) -> str:
        return f"{self.year} 年(已关账)"


class PeriodState(models.TextChoices):
    """Where a year's reporting stands: derived from the period's dates and the closed years."""

    NOT_OPEN = "not_open", "未开放"
    OPEN = "open", "填报中"
    PAST_DEADLINE = "past_deadline", "已截止"
    CLOSED = "closed", "已关账"


class ReportingPeriod(models.Model):
    """The reporting period of a year's income (填报期), set by the organisation department.

    Townships enter the year's income from `opens_on` to `entry_deadline` (both included); counties
    review until `review_deadline`. Whether the year is closed is not stored here: ClosedYear (the
    joint sign-off) is the one record of it. Changes (a deadline extension) keep who and why in the
    history.
    """

    year = models.PositiveSmallIntegerField("年度")
    opens_on = models.DateField("开始填报")
    entry_deadline = models.DateField("填报截止")
    review_deadline = models.DateField("审核截止")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "填报期"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["year"], name="reporting_period_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="reporting_period_year_range",
                violation_error_message="年度无效。",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("entry_deadline")) & Q(entry_deadline__lte=F("review_deadline")),
                name="reporting_period_dates_in_order",
                violation_error_message="日期顺序应为:开始填报 ≤ 填报截止 ≤ 审核截止。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度填报期"

    def state_on(self, day, *, closed: bool) -> PeriodState:
        if closed:
            return PeriodState.CLOSED
        if day < self.opens_on:
            return PeriodState.NOT_OPEN
        if day <= self.entry_deadline:
            return PeriodState.OPEN
        return PeriodState.PAST_DEADLINE


class NotificationKind(models.TextChoices):
    ENTRY_DEADLINE = "entry_deadline", "填报截止提醒"
    REVIEW_WAITING = "review_waiting", "待审核提醒"
    URGE = "urge", "催报"


class Notification(models.Model):
    """An in-portal message to one user (the bell in the header, the list on the home page).

    `key` makes sending idempotent: the daily reminders use one key per recipient, subject and day,
    so running the task twice a day sends nothing new.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类型", max_length=20, choices=NotificationKind.choices)
    key = models.CharField("去重键", max_length=100)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发送人",
    )
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class Urge(models.Model):
    """A 催报 pressed by the city or a county for one township: at most once a day per township."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="urges", verbose_name="乡镇(街道)")
    year = models.PositiveSmallIntegerField("年度")
    day = models.DateField("日期")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="催报人"
    )
    sent_at = models.DateTimeField("催报时间", auto_now_add=True)
    recipients = models.PositiveIntegerField("通知人数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "催报记录"
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["township", "day"], name="urge_once_a_day_per_township")]

    def __str__(self) -> str:
        return f"{self.day} 催报 {self.township.name}"
