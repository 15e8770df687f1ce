"""Settings of the bidding service, read from ``BIANMIN_BIDDING_*`` environment variables."""

from decimal import Decimal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings

STATUTORY_TENDER_DAYS = 20
"""招标投标法 §24 (and 财政部令第87号 §25 for government procurement): documents to deadline, at least."""
TENDERED_CATEGORIES = ("construction", "procurement")
TENDER_METHODS = ("open", "invited")
LEVELS = ("district", "township")


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
    direct_contract_threshold: Decimal = Field(
        default=Decimal("4000000"), description="Largest budget a direct contract (直接发包) may be filed for, in yuan.")
    min_bidders: int = Field(default=3, description="Fewer bidders or valid bids than this and a section fails (§44).")
    min_publicity_days: int = 3
    minute_seconds: float = Field(
        default=60.0, gt=0, description="Seconds in a minute of the opening's decryption and confirmation windows. "
        "60 in production; shorter only for drills and end-to-end tests on the real clock.")
    day_seconds: float = Field(
        default=86400.0, gt=0, description="Seconds in a day of the publicity of winning candidates. "
        "86400 in production; shorter only for drills and end-to-end tests on the real clock.")
    mandatory_tender_thresholds: dict[str, Decimal] = Field(
        default={"construction": Decimal("4000000"), "procurement": Decimal("2000000")},
        description="Budget (yuan) from which a tender of the category must be tendered by law (依法必须招标, "
        "国家发改委令第16号 §5: works 4,000,000, important goods 2,000,000, services 1,000,000). The platform's "
        "tenderers are public bodies spending state funds (§2), so a tender at or above it is bound whatever it "
        "states; below it the tender states it (a services tender between 1 and 2 million states it is bound).")
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
    complaint_handling_workdays: int = 30
    savings_risk_rate: Decimal = Field(default=Decimal("0.30"),
                                       description="Awards at least this far below budget are flagged as a risk.")
    screen_cv_max: Decimal = Field(default=Decimal("0.03"),
                                   description="Coefficient of variation (σ/μ) of a section's prices at or below which it is flagged.")
    screen_rd_min: Decimal = Field(default=Decimal("1.0"),
                                   description="Relative distance (b2 − b1)/σ(losing bids) at or above which a section is flagged.")
    screen_gap_cv_max: Decimal = Field(default=Decimal("0.05"),
                                       description="Coefficient of variation of the gaps between sorted prices at or below which "
                                       "the gaps count as regular.")
    screen_min_bids: int = Field(default=3, description="Fewest priced bids the statistical screens run on.")
    screen_min_gaps: int = Field(default=3, description="Fewest gaps (bids − 1) the regular-gap screen runs on.")
    trusted_proxy_hops: int = Field(
        default=0, ge=0, description="Trusted proxies in front of the gateway (load balancers whose X-Forwarded-For the "
        "gateway believes); the client's address is that many entries left of the one the gateway appended.")
    worker_poll_seconds: float = 5.0
    ocds_ocid_prefix: str = Field(default="ocds-bm0199", pattern=r"^ocds-[a-z0-9]{6}$",
                                  description="The OCDS ocid prefix registered for this publisher (ocds-xxxxxx).")
    ocds_publisher: str = Field(default="便民区公共资源交易中心", description="The OCDS publisher's name.")

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

    @field_validator("voluntary_period_days")
    @classmethod
    def _levels(cls, value: dict[str, int]) -> dict[str, int]:
        """Refuse an unknown level or a negative period."""
        for key, days in value.items():
            if key not in LEVELS or days < 0:
                raise ValueError(f"{key}: {days}: levels are {LEVELS} and days at least 0")
        return value

    @field_validator("mandatory_tender_thresholds")
    @classmethod
    def _categories(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        """Refuse a threshold for a category that is not tendered (land and state property are sold)."""
        for key, amount in value.items():
            if key not in TENDERED_CATEGORIES or amount < 0:
                raise ValueError(f"{key}: {amount}: categories are {TENDERED_CATEGORIES} and amounts at least 0")
        return value
