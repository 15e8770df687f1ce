"""Settings of the bidding service, read from ``BIANMIN_BIDDING_*`` environment variables."""

from decimal import Decimal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


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
        default=86400.0, gt=0, description="Seconds in a day of the publicity of winning candidates. "
        "86400 in production; shorter only for drills and end-to-end tests on the real clock.")
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
