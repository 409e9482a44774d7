"""三资: each village's funds (货币资金), assets (资产), resources (资源), the contracts that lease
them, and the idle ones turned productive (盘活).

Rules the database can hold are constraints here; the rest (a contract's asset belongs to the same
village, leases do not overlap, 闲置 is left by 盘活) are in assets.rules, applied by assets.services
and the Excel import; who writes is villages.scope's (only clerks of the township).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from loudi_portal.money import YuanModelField
from villages.models import Village

ZERO = Decimal("0.00")


class FundKind(models.TextChoices):
    CASH = "cash", "现金"
    BANK = "bank", "银行存款"


class Fund(models.Model):
    """货币资金: one cash box or bank account of a village's collective."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="funds", verbose_name="村(社区)")
    name = models.CharField("账户名称", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=FundKind.choices)
    bank = models.CharField("开户银行", max_length=100, blank=True)
    account_no = models.CharField("账号", max_length=40, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "货币资金账户"
        ordering = ["village__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"],
                name="fund_name_unique_per_village",
                violation_error_message="本村已有同名资金账户。",
            ),
            models.CheckConstraint(
                condition=Q(kind=FundKind.CASH) | (~Q(bank="") & ~Q(account_no="")),
                name="fund_bank_account_complete",
                violation_error_message="银行存款账户须填写开户银行和账号。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_kind_display()})"


class FundBalance(models.Model):
    """A fund's balance at the end of a year (年末余额)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="balances", verbose_name="资金账户")
    year = models.PositiveSmallIntegerField("年度")
    balance = YuanModelField("年末余额")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "年末余额"
        ordering = ["fund", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "year"],
                name="fund_balance_one_per_year",
                violation_error_message="该账户本年度已有年末余额。",
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="fund_balance_not_negative",
                violation_error_message="年末余额不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="fund_balance_year_range",
                violation_error_message="年度无效。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.year} 年末余额"


class AssetNature(models.TextChoices):
    OPERATING = "operating", "经营性"
    NON_OPERATING = "non_operating", "非经营性"


class AssetCategory(models.TextChoices):
    BUILDING = "building", "房屋及建筑物"
    MACHINERY = "machinery", "机器设备"
    FACILITY = "facility", "基础设施"
    SHAREHOLDING = "shareholding", "股权投资"
    EDUCATION = "education", "教育设施"
    HEALTH = "health", "医疗卫生设施"
    CULTURE = "culture", "文化体育设施"
    OTHER = "other", "其他"


class AssetStatus(models.TextChoices):
    SELF_USE = "self_use", "自用"
    LEASED = "leased", "出租"
    LENT = "lent", "出借"
    INVESTED = "invested", "入股"
    IDLE = "idle", "闲置"
    DISPOSED = "disposed", "已处置"


class Asset(models.Model):
    """资产: a building, machine, facility or shareholding of the collective."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="assets", verbose_name="村(社区)")
    code = models.CharField("资产编号", max_length=40)
    name = models.CharField("资产名称", max_length=100)
    nature = models.CharField("资产性质", max_length=20, choices=AssetNature.choices)
    category = models.CharField("资产类别", max_length=20, choices=AssetCategory.choices)
    location = models.CharField("坐落位置", max_length=200, blank=True)
    acquired_on = models.DateField("购建日期", null=True, blank=True)
    original_value = YuanModelField("原值(元)")
    book_value = YuanModelField("账面价值(元)")
    status = models.CharField("状态", max_length=10, choices=AssetStatus.choices, default=AssetStatus.SELF_USE)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "资产"
        ordering = ["village__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "code"],
                name="asset_code_unique_per_village",
                violation_error_message="本村已有相同编号的资产。",
            ),
            models.CheckConstraint(
                condition=Q(original_value__gte=0),
                name="asset_original_value_not_negative",
                violation_error_message="原值不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(book_value__gte=0) & Q(book_value__lte=F("original_value")),
                name="asset_book_value_within_original",
                violation_error_message="账面价值应在 0 与原值之间。",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="asset_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResourceType(models.TextChoices):
    ARABLE = "arable", "耕地"
    GARDEN = "garden", "园地"
    FOREST = "forest", "林地"
    GRASS = "grass", "草地"
    WATER = "water", "水域"
    WASTE = "waste", "荒地"
    UNUSED = "unused", "未利用地"
    CONSTRUCTION = "construction", "建设用地"
    OTHER = "other", "其他"


class ResourceStatus(models.TextChoices):
    UNLET = "unlet", "未发包"
    CONTRACTED = "contracted", "已发包"
    TRANSFERRED = "transferred", "流转"
    INVESTED = "invested", "入股"
    IDLE = "idle", "闲置"


class Resource(models.Model):
    """资源: land or water owned by the collective, measured in 亩."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="resources", verbose_name="村(社区)")
    code = models.CharField("资源编号", max_length=40)
    name = models.CharField("资源名称", max_length=100)
    resource_type = models.CharField("资源类型", max_length=20, choices=ResourceType.choices)
    area = models.DecimalField("面积(亩)", max_digits=12, decimal_places=2)
    location = models.CharField("坐落位置", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=ResourceStatus.choices, default=ResourceStatus.UNLET)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "资源"
        ordering = ["village__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "code"],
                name="resource_code_unique_per_village",
                violation_error_message="本村已有相同编号的资源。",
            ),
            models.CheckConstraint(
                condition=Q(area__gt=0),
                name="resource_area_positive",
                violation_error_message="面积应大于 0 亩。",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="resource_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ContractMethod(models.TextChoices):
    AUCTION = "auction", "公开竞价"
    NEGOTIATION = "negotiation", "协商"
    OTHER = "other", "其他"


class Contract(models.Model):
    """合同: the lease or contracting (发包) of exactly one asset or one resource."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="contracts", verbose_name="村(社区)")
    number = models.CharField("合同编号", max_length=50)
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts", verbose_name="资产"
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts", verbose_name="资源"
    )
    counterparty = models.CharField("承包(租)方", max_length=100)
    method = models.CharField("发包方式", max_length=20, choices=ContractMethod.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期")
    yearly_amount = YuanModelField("年合同金额(元)")
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "合同"
        ordering = ["village__code", "number"]
        constraints = [
            # Numbers are unique within a village: two villages may both number theirs "2024-001".
            models.UniqueConstraint(
                fields=["village", "number"],
                name="contract_number_unique_per_village",
                violation_error_message="本村已有相同编号的合同。",
            ),
            models.CheckConstraint(
                condition=(Q(asset__isnull=False) & Q(resource__isnull=True))
                | (Q(asset__isnull=True) & Q(resource__isnull=False)),
                name="contract_leases_asset_xor_resource",
                violation_error_message="合同须且只能对应一项资产或一项资源。",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="contract_end_not_before_start",
                violation_error_message="终止日期不能早于起始日期。",
            ),
            models.CheckConstraint(
                condition=Q(yearly_amount__gte=0),
                name="contract_amount_not_negative",
                violation_error_message="年合同金额不能为负数。",
            ),
        ]
        indexes = [models.Index(fields=["end_date"], name="contract_end_date_idx")]

    def __str__(self) -> str:
        return f"{self.number}({self.counterparty})"

    @property
    def subject(self):
        return self.asset or self.resource


class ContractPayment(models.Model):
    """One instalment of a contract's payment schedule: what is due when, and what came in."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="payments", verbose_name="合同")
    due_date = models.DateField("应收日期")
    amount_due = YuanModelField("应收金额(元)")
    amount_received = YuanModelField("实收金额(元)", default=ZERO)
    received_on = models.DateField("收款日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "合同收款计划"
        ordering = ["contract", "due_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "due_date"],
                name="payment_one_per_due_date",
                violation_error_message="该合同在同一应收日期已有一笔收款计划。",
            ),
            models.CheckConstraint(
                condition=Q(amount_due__gte=0) & Q(amount_received__gte=0),
                name="payment_amounts_not_negative",
                violation_error_message="应收、实收金额不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(amount_received=0) | Q(received_on__isnull=False),
                name="payment_received_has_date",
                violation_error_message="有实收金额时须填写收款日期。",
            ),
        ]
        indexes = [
            models.Index(fields=["due_date"], name="payment_due_date_idx"),
            # The 收款逾期 warning reads the few instalments not received in full (a handful per
            # thousand): without this, every warning list scans every instalment.
            models.Index(
                fields=["due_date", "contract"],
                condition=Q(amount_received__lt=F("amount_due")),
                name="payment_unpaid_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.due_date}"


class Revitalisation(models.Model):
    """盘活: an idle asset or resource put to use, with what it became and what it brings.

    `village` repeats the item's village so that one scope path covers both kinds of item.
    """

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="revitalisations", verbose_name="村(社区)"
    )
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="revitalisations", verbose_name="资产"
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revitalisations",
        verbose_name="资源",
    )
    revitalised_on = models.DateField("盘活日期")
    became = models.CharField("盘活后用途", max_length=200)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revitalisations",
        verbose_name="相关合同",
    )
    yearly_income = YuanModelField("年收益(元)", null=True, blank=True)
    # What the revitalised item produces (产值), as officials report it; not the collective's income.
    expected_output = YuanModelField("预计年产值(元)", null=True, blank=True)
    description = models.TextField("情况说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "盘活记录"
        ordering = ["-revitalised_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(asset__isnull=False) & Q(resource__isnull=True))
                | (Q(asset__isnull=True) & Q(resource__isnull=False)),
                name="revitalisation_asset_xor_resource",
                violation_error_message="盘活记录须且只能对应一项资产或一项资源。",
            ),
            models.CheckConstraint(
                condition=Q(yearly_income__isnull=True) | Q(yearly_income__gte=0),
                name="revitalisation_income_not_negative",
                violation_error_message="年收益不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(expected_output__isnull=True) | Q(expected_output__gte=0),
                name="revitalisation_output_not_negative",
                violation_error_message="预计年产值不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset or self.resource} → {self.became}"

    @property
    def subject(self):
        return self.asset or self.resource
