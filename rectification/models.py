"""问题线索整改: inspections, self-inspection campaigns, problem clues from discovery to 销号, the
daily overdue snapshot, and the rectification of weak village party organisations.

Rules the database can hold are constraints here; who may do what (the township works a clue, the
county verifies it) lives in rectification.permissions and rectification.services.
"""

from decimal import Decimal
from pathlib import PurePosixPath
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assets.models import Asset, Contract
from loudi_portal import clock
from loudi_portal.money import YuanModelField
from villages.models import County, Township, Village

ZERO = Decimal("0.00")


def _user_fk(verbose_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class InspectionKind(models.TextChoices):
    SUPERVISION = "supervision", "督查检查"
    UNANNOUNCED = "unannounced", "暗访"
    SELF = "self", "自查自纠"


class Inspection(models.Model):
    """One inspection of a county's villages: a 督查检查, an unannounced visit (暗访) or a recorded
    self-inspection. It covers townships and/or villages of that county; none listed means the
    whole county."""

    code = models.CharField("检查编号", max_length=20)
    kind = models.CharField("检查方式", max_length=12, choices=InspectionKind.choices)
    date = models.DateField("检查日期")
    unit = models.CharField("检查单位", max_length=100)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="inspections", verbose_name="县市区")
    townships = models.ManyToManyField(Township, blank=True, related_name="inspections", verbose_name="检查乡镇")
    villages = models.ManyToManyField(Village, blank=True, related_name="inspections", verbose_name="检查村(社区)")
    findings = models.TextField("检查发现", blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = _user_fk("登记人")
    history = HistoricalRecords(m2m_fields=[townships, villages])

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["-date", "-code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="inspection_code_unique")]
        indexes = [
            models.Index(fields=["kind", "date"], name="inspection_kind_date_idx"),
            models.Index(fields=["-date", "-code"], name="inspection_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"


class SelfInspectionCampaign(models.Model):
    """A city-wide 自查自纠 campaign: every village inspects itself and reports it done."""

    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    started_on = models.DateField("开始日期")
    deadline = models.DateField("完成期限")
    description = models.TextField("工作要求", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = _user_fk("创建人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "自查自纠工作"
        ordering = ["-year", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], name="campaign_name_unique", violation_error_message="已有同名自查自纠工作。"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("started_on")),
                name="campaign_deadline_after_start",
                violation_error_message="完成期限不能早于开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SelfInspectionStatus(models.TextChoices):
    PENDING = "pending", "未完成"
    DONE = "done", "已完成"


class SelfInspection(models.Model):
    """One village's self-inspection within a campaign."""

    campaign = models.ForeignKey(
        SelfInspectionCampaign, on_delete=models.PROTECT, related_name="records", verbose_name="自查自纠工作"
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="self_inspections", verbose_name="村(社区)"
    )
    status = models.CharField(
        "状态", max_length=10, choices=SelfInspectionStatus.choices, default=SelfInspectionStatus.PENDING
    )
    summary = models.TextField("自查情况", blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    completed_by = _user_fk("填报人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "村(社区)自查自纠"
        ordering = ["campaign", "village__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "village"],
                name="self_inspection_one_per_village",
                violation_error_message="该村(社区)在本次自查自纠中已有记录。",
            ),
            models.CheckConstraint(
                condition=(Q(status=SelfInspectionStatus.DONE) & Q(completed_at__isnull=False))
                | (Q(status=SelfInspectionStatus.PENDING) & Q(completed_at__isnull=True)),
                name="self_inspection_done_has_time",
                violation_error_message="已完成的自查自纠须有完成时间,未完成的不能有。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.village}"


class ClueSource(models.TextChoices):
    SUPERVISION = "supervision", "督查检查"
    UNANNOUNCED = "unannounced", "暗访"
    SELF = "self", "自查自纠"
    PUBLIC = "public", "群众举报"
    AUDIT = "audit", "审计"
    WARNING = "warning", "合同预警"
    INCOME_CHECK = "income_check", "收入核对"
    SURVEY = "survey", "评估调研"


# A clue found by an inspection carries the inspection's kind as its source.
INSPECTION_SOURCES = {
    InspectionKind.SUPERVISION: ClueSource.SUPERVISION,
    InspectionKind.UNANNOUNCED: ClueSource.UNANNOUNCED,
}


class ClueCategory(models.TextChoices):
    FINANCE = "finance", "财务管理"
    CONTRACT = "contract", "合同管理"
    ASSET_RESOURCE = "asset_resource", "资产资源管理"
    DEBT = "debt", "集体债务"
    PROJECT = "project", "工程项目"
    LENDING = "lending", "资金出借及其他"


class ClueStatus(models.TextChoices):
    PENDING = "pending", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    AWAITING = "awaiting", "待验收"
    CLOSED = "closed", "已销号"


class WarningCode(models.TextChoices):
    """assets.selectors.ContractWarning codes."""

    OVERDUE = "overdue", "收款逾期"
    TERM_OVER_20Y = "term_over_20y", "租期超过20年"
    ENDING_90D = "ending_90d", "90天内到期"
    PRICE_LOW = "price_low", "租金明显偏低"


class IncomeCheckFlag(models.TextChoices):
    """The flags of the income-against-ledger check (incentives.insights.reconciliation)."""

    BELOW_RECEIPTS = "below_receipts", "填报收入低于台账收款(疑似账外收入)"
    INFLATED = "inflated", "填报收入远超台账来源且刚过指标线(疑似虚增收入)"


class Clue(models.Model):
    """问题线索: one problem found in a village, worked by the township and closed (销号) by the county."""

    code = models.CharField("线索编号", max_length=24)
    source = models.CharField("线索来源", max_length=12, choices=ClueSource.choices)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="clues", verbose_name="检查"
    )
    campaign = models.ForeignKey(
        SelfInspectionCampaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clues",
        verbose_name="自查自纠工作",
    )
    category = models.CharField("问题类别", max_length=16, choices=ClueCategory.choices)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="clues", verbose_name="村(社区)")
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="clues", verbose_name="涉及资产"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="clues", verbose_name="涉及合同"
    )
    warning_code = models.CharField("预警类型", max_length=16, choices=WarningCode.choices, blank=True)
    # A clue raised from the income check: which flag, on which year's report.
    income_flag = models.CharField("收入核对提示", max_length=16, choices=IncomeCheckFlag.choices, blank=True)
    income_year = models.PositiveSmallIntegerField("核对年度", null=True, blank=True)
    description = models.TextField("问题描述")
    amount_involved = YuanModelField("涉及金额(元)", default=ZERO)
    amount_recovered = YuanModelField("追回(挽回)金额(元)", default=ZERO)
    responsible_person = models.CharField("整改责任人", max_length=50)
    found_on = models.DateField("发现日期", default=clock.today)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=12, choices=ClueStatus.choices, default=ClueStatus.PENDING)
    measures = models.TextField("整改措施", blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = _user_fk("登记人")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    started_at = models.DateTimeField("开始整改时间", null=True, blank=True)
    started_by = _user_fk("开始整改人")
    requested_at = models.DateTimeField("申请验收时间", null=True, blank=True)
    requested_by = _user_fk("申请验收人")
    rejected_at = models.DateTimeField("退回时间", null=True, blank=True)
    rejected_by = _user_fk("退回人")
    reject_reason = models.TextField("退回原因", blank=True)
    rejection_count = models.PositiveSmallIntegerField("退回次数", default=0)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = _user_fk("销号人")
    close_note = models.TextField("验收意见", blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "问题线索"
        ordering = ["-found_on", "-code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="clue_code_unique", violation_error_message="线索编号重复。"),
            models.CheckConstraint(
                condition=Q(amount_involved__gte=0) & Q(amount_recovered__gte=0),
                name="clue_amounts_not_negative",
                violation_error_message="涉及金额和追回金额不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__lte=F("amount_involved")),
                name="clue_recovered_within_involved",
                violation_error_message="追回金额不能超过涉及金额。",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("found_on")),
                name="clue_deadline_after_found",
                violation_error_message="整改期限不能早于发现日期。",
            ),
            models.CheckConstraint(
                condition=(Q(status=ClueStatus.CLOSED) & Q(closed_at__isnull=False) & Q(closed_by__isnull=False))
                | (~Q(status=ClueStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="clue_closed_has_closer",
                violation_error_message="已销号的线索须有销号人和销号时间,未销号的不能有。",
            ),
            models.CheckConstraint(
                condition=~Q(source__in=[ClueSource.SUPERVISION, ClueSource.UNANNOUNCED]) | Q(inspection__isnull=False),
                name="clue_inspection_source_has_inspection",
                violation_error_message="来源为督查检查或暗访的线索须关联检查记录。",
            ),
            models.CheckConstraint(
                condition=(Q(source=ClueSource.WARNING) & ~Q(warning_code="") & Q(contract__isnull=False))
                | (~Q(source=ClueSource.WARNING) & Q(warning_code="")),
                name="clue_warning_source_has_code",
                violation_error_message="合同预警线索须关联合同并注明预警类型。",
            ),
            models.CheckConstraint(
                condition=(Q(source=ClueSource.INCOME_CHECK) & ~Q(income_flag="") & Q(income_year__isnull=False))
                | (~Q(source=ClueSource.INCOME_CHECK) & Q(income_flag="") & Q(income_year__isnull=True)),
                name="clue_income_check_has_flag",
                violation_error_message="收入核对线索须注明核对年度和提示类型。",
            ),
            # One open clue per village, year and income-check flag, as for contract warnings.
            models.UniqueConstraint(
                fields=["village", "income_year", "income_flag"],
                condition=Q(source=ClueSource.INCOME_CHECK) & ~Q(status=ClueStatus.CLOSED),
                name="clue_one_open_per_income_flag",
                violation_error_message="该村该年度的此项收入核对提示已有未销号线索。",
            ),
            # One open clue per contract warning: a second click cannot raise the same problem twice.
            models.UniqueConstraint(
                fields=["contract", "warning_code"],
                condition=Q(source=ClueSource.WARNING) & ~Q(status=ClueStatus.CLOSED),
                name="clue_one_open_per_contract_warning",
                violation_error_message="该合同的此项预警已有未销号线索。",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="clue_status_deadline_idx"),
            models.Index(fields=["category"], name="clue_category_idx"),
            # The list's order, so a page is read off the index instead of sorting every clue.
            models.Index(fields=["-found_on", "-code"], name="clue_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.village.name}"

    def is_overdue(self, today=None) -> bool:
        today = today or clock.today()
        return self.status != ClueStatus.CLOSED and self.deadline < today


EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def evidence_path(instance: "ClueEvidence", filename: str) -> str:
    # The stored name is random: the uploader's name never reaches the file system.
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    return f"rectification/evidence/{instance.clue_id}/{uuid4().hex}.{ext}"


class ClueEvidence(models.Model):
    """A rectification evidence file (整改佐证材料). Served only through a scoped view."""

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="evidence", verbose_name="问题线索")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    file_type = models.CharField("文件类型", max_length=8, choices=[(k, k.upper()) for k in EVIDENCE_TYPES])
    size = models.PositiveIntegerField("大小(字节)")
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = _user_fk("上传人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "整改佐证材料"
        ordering = ["clue", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=settings.UPLOAD_MAX_BYTES),
                name="evidence_size_within_limit",
                violation_error_message="佐证材料不能为空,且不能超过 10 MB。",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def content_type(self) -> str:
        return EVIDENCE_TYPES.get(self.file_type, "application/octet-stream")


class OverdueSnapshot(models.Model):
    """Each county's overdue clue count on a day, recorded by the daily beat task (the trend)."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="overdue_snapshots", verbose_name="县市区"
    )
    date = models.DateField("日期")
    overdue = models.PositiveIntegerField("逾期未销号线索数")
    open = models.PositiveIntegerField("未销号线索数")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "逾期线索日统计"
        ordering = ["-date", "county__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "date"],
                name="overdue_snapshot_one_per_county_day",
                violation_error_message="该县市区当日已有逾期统计。",
            ),
            models.CheckConstraint(
                condition=Q(overdue__lte=F("open")),
                name="overdue_snapshot_within_open",
                violation_error_message="逾期线索数不能超过未销号线索数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.date}:逾期 {self.overdue}"


class WeakOrgStatus(models.TextChoices):
    RECTIFYING = "rectifying", "整顿中"
    CLOSED = "closed", "已销号"


class WeakPartyOrganisation(models.Model):
    """软弱涣散基层党组织: a village party branch listed for rectification, with its plan of items."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="weak_party_organisations", verbose_name="村(社区)"
    )
    branch_name = models.CharField("党组织名称", max_length=100)
    year_listed = models.PositiveSmallIntegerField("列入年度")
    reasons = models.TextField("列入原因")
    plan = models.TextField("整顿方案", blank=True)
    responsible_leader = models.CharField("联系领导", max_length=50)
    status = models.CharField("状态", max_length=12, choices=WeakOrgStatus.choices, default=WeakOrgStatus.RECTIFYING)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = _user_fk("登记人")
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = _user_fk("销号人")
    close_note = models.TextField("销号意见", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "软弱涣散基层党组织"
        ordering = ["-year_listed", "village__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year_listed"],
                name="weak_org_one_per_village_year",
                violation_error_message="该村(社区)党组织本年度已列入整顿。",
            ),
            models.CheckConstraint(
                condition=(Q(status=WeakOrgStatus.CLOSED) & Q(closed_at__isnull=False))
                | (Q(status=WeakOrgStatus.RECTIFYING) & Q(closed_at__isnull=True)),
                name="weak_org_closed_has_time",
                violation_error_message="已销号的党组织须有销号时间,整顿中的不能有。",
            ),
            models.CheckConstraint(
                condition=Q(year_listed__gte=2000, year_listed__lte=2100),
                name="weak_org_year_range",
                violation_error_message="列入年度无效。",
            ),
        ]

    def __str__(self) -> str:
        return self.branch_name


class RectificationItem(models.Model):
    """One item of a weak organisation's plan, closed on its own (对账销号)."""

    organisation = models.ForeignKey(
        WeakPartyOrganisation, on_delete=models.PROTECT, related_name="items", verbose_name="党组织"
    )
    number = models.PositiveSmallIntegerField("序号")
    measure = models.TextField("整顿措施")
    responsible = models.CharField("责任人", max_length=50)
    deadline = models.DateField("完成时限")
    progress = models.TextField("进展情况", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = _user_fk("销号人")
    close_note = models.TextField("对账意见", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "整顿事项"
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                name="rectification_item_number_unique",
                violation_error_message="整顿事项序号重复。",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_by__isnull=False),
                name="rectification_item_closed_has_closer",
                violation_error_message="已销号的整顿事项须有销号人。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} 第 {self.number} 项"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
