"""Settings of the bidding service, read from ``BIANMIN_BIDDING_*`` environment variables."""

from decimal import Decimal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings

STATUTORY_TENDER_DAYS = 20
"""招标投标法 §24 (and 财政部令第87号 §25 for government procurement): documents to deadline, at least."""
LAND_ANNOUNCEMENT_DAYS = 20
"""国土资源部令第39号 §8: a land sale's announcement at least 20 days before the tender, auction or listing starts."""
LAND_LISTING_DAYS = 10
"""国土资源部令第39号 §19: a land listing (挂牌) runs at least 10 days."""
STATE_PROPERTY_DISCLOSURE_WORKDAYS = 20
"""国资委 财政部令第32号 §13: a state-property transfer is formally disclosed at least 20 working days."""
TENDERED_CATEGORIES = ("construction", "procurement")
TENDER_METHODS = ("open", "invited")
LEVELS = ("district", "township")
CATEGORIES = ("construction", "procurement", "land_use", "state_property")
ARCHIVE_RETENTION_YEARS = 15
"""政府采购法 §42: procurement documents are kept at least 15 years from the procurement's end."""


class BiddingSettings(ServiceSettings):
    """Where the bidding service listens and keeps its data, and the rules an operator may tune."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_BIDDING_", extra="ignore")

    service_name: str = "bidding"
    port: int = 8004
    database_url: str = "sqlite+aiosqlite:///var/bidding.db"
    barred_colors: list[str] = Field(default=["red", "orange"],
                                     description="Five-color codes that bar an enterprise from registering or bidding.")
    receipt_signing_key: SecretStr = Field(
        default=SecretStr(""), description="Ed25519 private key (32 raw bytes, base64) that signs bid receipts; "
        "generated once and kept in the database when empty.")
    archive_signing_key: SecretStr = Field(
        default=SecretStr(""), description="Ed25519 private key (32 raw bytes, base64) that signs archive versions and the "
        "archive log's checkpoints; generated once and kept in the database when empty (a key of its own, never the "
        "receipt key).")
    archive_log_origin: str = Field(default="bianmin.bidding/archive", min_length=1,
                                    description="The origin line of the archive log's checkpoints (C2SP tlog-checkpoint).")
    # 档案保管期限: 招标投标法 and its 实施条例 set none; 政府采购法 §42 keeps procurement documents "at least fifteen
    # years from the end of the procurement", and local trading-centre archive rules commonly take the same 15 years for
    # works. 15 for every category unless the local rule says more; an archive past it is listed for appraisal
    # (鉴定), never deleted by the platform.
    archive_retention_years: dict[str, int] = Field(
        default={"construction": 15, "procurement": 15, "land_use": 15, "state_property": 15},
        description="Years an archive is kept from its first version, per project category (政府采购法 §42: at least "
        "15 for procurement). A category missing from the map keeps 15.")
    archive_borrow_max_days: int = Field(
        default=30, ge=1, description="Most days a supervisor may grant a borrowing (借阅) of an archive for.")
    # 必须招标的工程项目规定 (国家发展改革委令第16号) §5: a single contract of these estimates "or more" (以上,
    # which includes the figure itself) must be tendered; a direct contract (直接发包) must stay below, and so
    # must the sum of one buyer's direct contracts for one work over any 12 months (no splitting, 实施条例 §24).
    tender_threshold_works: Decimal = Field(
        default=Decimal("4000000"), gt=0, description="Works (施工): contracts of this many yuan or more are tendered.")
    tender_threshold_goods: Decimal = Field(
        default=Decimal("2000000"), gt=0, description="Goods (重要设备、材料等货物): contracts of this many yuan or more "
        "are tendered.")
    tender_threshold_services: Decimal = Field(
        default=Decimal("1000000"), gt=0, description="Services (勘察、设计、监理等服务): contracts of this many yuan or "
        "more are tendered.")
    min_bidders: int = Field(default=3, description="Fewer bidders than this at the opening and a section is not opened "
                             "(实施条例 §44). Fewer valid bids after it fail a section only when the tender sets its "
                             "own floor (``min_valid_bids``); otherwise the committee judges (招标投标法 §42).")
    low_price_below_others: Decimal | None = Field(
        default=Decimal("0.20"), ge=0, lt=1,
        description="A valid price more than this share below the mean of the section's other valid prices is flagged "
        "as abnormally low (实施条例 §51(5), 评标委员会和评标方法暂行规定 §21); null turns this test off.")
    low_price_below_ceiling: Decimal | None = Field(
        default=Decimal("0.30"), ge=0, lt=1,
        description="A valid price more than this share below the section's ceiling (最高投标限价) is flagged as abnormally "
        "low; null turns this test off. Only tenders that buy (works, goods) are checked, never sales.")
    min_publicity_days: int = 3
    minute_seconds: float = Field(
        default=60.0, gt=0, description="Seconds in a minute of the opening's decryption and confirmation windows. "
        "60 in production; shorter only for drills and end-to-end tests on the real clock.")
    day_seconds: float = Field(
        default=86400.0, gt=0, description="Seconds in a day of the publicity of winning candidates and of the "
        "tender and sale periods (a working day of a sale's disclosure too). "
        "86400 in production; shorter only for drills and end-to-end tests on the real clock.")
    tender_period_days: dict[str, int] = Field(
        default={f"{c}.{m}": STATUTORY_TENDER_DAYS for c in TENDERED_CATEGORIES for m in TENDER_METHODS},
        description="Least calendar days from the documents' issue (publication) to the bid deadline of a tender "
        "bound by law, per '<category>.<method>'; never below the 20 of 招标投标法 §24 (a local rule may add "
        "days). A key missing from the map gets the statutory 20.")
    voluntary_period_days: dict[str, int] = Field(
        default={"district": 0, "township": 0},
        description="Least calendar days from issue to bid deadline of a tender the law does not bind, per level: "
        "small projects below the thresholds at the district, small and village projects at the township "
        "sub-centres (villages tender through their township). The statute sets no minimum for them (§24 asks "
        "only for a reasonable time), so 0 unless the local rule sets one.")
    objection_answer_days: int = 3
    complaint_days: int = 10
    complaint_accept_workdays: int = Field(
        default=3, ge=1, description="Working days the supervising department has to accept (受理) a complaint (实施条例 §61).")
    complaint_handling_workdays: int = Field(
        default=30, ge=1, description="Working days from accepting a complaint to its written decision (实施条例 §61).")
    land_deposit_rate_min: Decimal = Field(default=Decimal("0.20"), ge=0, le=1, description=(
        "A land-use sale's deposit (竞买保证金) is at least this share of its reserve; the local land market's rule."))
    land_deposit_rate_max: Decimal = Field(default=Decimal("0.50"), ge=0, le=1, description=(
        "A land-use sale's deposit is at most this share of its reserve."))
    state_property_deposit_rate_max: Decimal = Field(default=Decimal("0.30"), ge=0, le=1, description=(
        "A state-property sale's deposit (交易保证金) is at most this share of its reserve (企业国有产权交易操作规则 §25)."))
    land_announcement_days: int = Field(
        default=LAND_ANNOUNCEMENT_DAYS, ge=LAND_ANNOUNCEMENT_DAYS, description=(
            "Least calendar days from a land sale's announcement (publication) to the start of its listing or auction, "
            "or to the bid deadline of a land tender; never below the 20 of 国土资源部令第39号 §8."))
    land_listing_days: int = Field(default=LAND_LISTING_DAYS, ge=LAND_LISTING_DAYS, description=(
        "Least calendar days a land listing (挂牌) runs, from its start to its end; never below the 10 of "
        "国土资源部令第39号 §19."))
    state_property_disclosure_workdays: int = Field(
        default=STATE_PROPERTY_DISCLOSURE_WORKDAYS, ge=STATE_PROPERTY_DISCLOSURE_WORKDAYS, description=(
            "Least working days (the district's calendar) a state-property transfer is disclosed, from publication to "
            "the registration deadline; never below the 20 of 国资委 财政部令第32号 §13."))
    savings_risk_rate: Decimal = Field(default=Decimal("0.30"),
                                       description="Awards at least this far below budget are flagged as a risk.")
    collusion_hearing_workdays: int = Field(
        default=5, ge=1, le=60, description="Working days a bidder a collusion flag names has to state its case and defend "
        "itself (陈述申辩, 行政处罚法 §44-45) before a supervisor may confirm it; counted on the district's calendar.")
    rotation_alpha: Decimal = Field(
        default=Decimal("0.05"), gt=0, lt=1, description="The rotation screen's level: a set of sections is flagged "
        "when honest bidding would rotate its winners so strictly with at most this probability.")
    screen_cv_max: Decimal | None = Field(
        default=None, gt=0, description="Coefficient of variation (σ/μ) of a section's prices at or below which it is flagged; "
        "unset: the calibrated critical value for its number of bids (screens.CV_MAX_BY_N, about 4% of honest sections).")
    screen_rd_min: Decimal | None = Field(
        default=None, gt=0, description="Relative distance (b2 − b1)/σ(losing bids) at or above which a section is flagged; "
        "unset: the calibrated critical value for its number of bids (screens.RD_MIN_BY_N).")
    screen_gap_cv_max: Decimal | None = Field(
        default=None, gt=0, description="Coefficient of variation of the gaps between sorted prices at or below which the "
        "gaps count as regular; unset: the calibrated critical value for its number of bids (screens.GAP_CV_MAX_BY_N).")
    screen_min_bids: int = Field(default=3, ge=2, description="Fewest priced bids the statistical screens run on.")
    screen_min_gaps: int = Field(default=2, ge=1, description="Fewest gaps (bids − 1) the regular-gap screen runs on.")
    trusted_proxy_hops: int = Field(
        default=0, ge=0, description="Trusted proxies in front of the gateway (load balancers whose X-Forwarded-For the "
        "gateway believes); the client's address is that many entries left of the one the gateway appended.")
    worker_poll_seconds: float = 5.0
    ocds_ocid_prefix: str = Field(default="ocds-bm0199", pattern=r"^ocds-[a-z0-9]{6}$",
                                  description="The OCDS ocid prefix registered for this publisher (ocds-xxxxxx).")
    ocds_publisher: str = Field(default="便民区公共资源交易中心", description="The OCDS publisher's name.")

    def mandatory_threshold(self, category: str) -> Decimal | None:
        """The budget from which a tender of ``category`` is bound by law whatever it states (发改委令第16号 §5).

        Works for construction; the goods figure for procurement, since a services tender between the services
        and goods figures states itself that it is bound; none for sales, which are not tendered.
        """
        return {"construction": self.tender_threshold_works, "procurement": self.tender_threshold_goods}.get(category)

    def tender_threshold(self, kind: str) -> Decimal:
        """The estimate from which a contract of ``kind`` (works, goods, services) must be tendered (发改委令第16号 §5)."""
        thresholds = {"works": self.tender_threshold_works, "goods": self.tender_threshold_goods,
                      "services": self.tender_threshold_services}
        return Decimal(thresholds[kind])

    @field_validator("tender_period_days")
    @classmethod
    def _statutory_floor(cls, value: dict[str, int]) -> dict[str, int]:
        """Refuse a period under the statute's 20 days, or a key naming no category and method of a tender."""
        known = {f"{c}.{m}" for c in TENDERED_CATEGORIES for m in TENDER_METHODS}
        for key, days in value.items():
            if key not in known:
                raise ValueError(f"{key!r} is not '<category>.<method>' of a tender (one of {sorted(known)})")
            if days < STATUTORY_TENDER_DAYS:
                raise ValueError(f"{key}: {days} days is below the {STATUTORY_TENDER_DAYS} of 招标投标法 §24")
        return value

    def archive_retention(self, category: str) -> int:
        """Years an archive of ``category`` is kept (``archive_retention_years``; 15 when the map omits it)."""
        return self.archive_retention_years.get(category, ARCHIVE_RETENTION_YEARS)

    @field_validator("archive_retention_years")
    @classmethod
    def _retention_floor(cls, value: dict[str, int]) -> dict[str, int]:
        """Refuse an unknown category, a tendered category's period under the 15 years of 政府采购法 §42, or none."""
        for key, years in value.items():
            floor = ARCHIVE_RETENTION_YEARS if key in TENDERED_CATEGORIES else 1
            if key not in CATEGORIES or years < floor:
                raise ValueError(f"{key}: {years} years: categories are {CATEGORIES}; construction and procurement keep "
                                 f"at least {ARCHIVE_RETENTION_YEARS} years, sales at least 1")
        return value

    @field_validator("voluntary_period_days")
    @classmethod
    def _levels(cls, value: dict[str, int]) -> dict[str, int]:
        """Refuse an unknown level or a negative period."""
        for key, days in value.items():
            if key not in LEVELS or days < 0:
                raise ValueError(f"{key}: {days}: levels are {LEVELS} and days at least 0")
        return value
