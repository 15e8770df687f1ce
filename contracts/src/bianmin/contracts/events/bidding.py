"""Events of the bidding service."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from bianmin.contracts.spec import EventSpec, Payload


class SectionTerms(Payload):
    """What a guarantee issuer needs to know of one section (标段) of a tender."""

    code: str
    name: str
    bid_bond_amount: Decimal


class ProjectPublished(Payload):
    """A tender was published: guarantee learns its deposits, deadline, bid validity and tenderer."""

    code: str
    name: str
    site_code: str
    category: str
    tenderer_name: str
    tenderer_credit_code: str
    budget: Decimal
    currency: Literal["CNY"] = "CNY"
    bid_deadline: datetime
    opening_at: datetime
    sections: list[SectionTerms]
    bid_validity_days: int | None = Field(
        default=None, ge=1, le=1095,
        description="The bid validity period (投标有效期) in days from the bid deadline (招标投标法实施条例 §25); "
                    "absent when the tender does not state it, and readers then assume the common 90 days.")


class SectionAward(Payload):
    """The outcome of one section: who won at what price and who else bid."""

    code: str
    winner_credit_code: str
    award_amount: Decimal
    bidder_credit_codes: list[str]


class ProjectAwarded(Payload):
    """A tender was awarded: guarantee releases the losers' bid bonds."""

    code: str
    site_code: str
    awarded_at: datetime
    sections: list[SectionAward]


class SectionFailed(Payload):
    """A section of a tender that carries on failed after its opening (the committee rejected every bid, §42, or
    fewer valid bids remained than the tender's own floor): its bid bonds secure nothing any more."""

    project_code: str
    section_code: str
    site_code: str
    reason: str
    failed_at: datetime


class BidderDefaulted(Payload):
    """A bidder or winner defaulted (refused to sign, withdrew after the deadline)."""

    project_code: str
    section_code: str
    credit_code: str
    site_code: str
    reason: Literal["refused_to_sign", "withdrew_after_deadline", "false_materials", "other"]
    detail: str
    occurred_at: datetime


class CollusionConfirmed(Payload):
    """A supervisor confirmed a collusion flag for one bidder after its hearing (陈述申辩): credit records a bad
    behaviour for each enterprise named, which since per-bidder confirmation is that one bidder."""

    project_code: str
    section_code: str
    site_code: str
    flag_id: str
    screens: list[str]
    credit_codes: list[str]
    confirmed_by: str
    confirmed_at: datetime


class ProjectStatusChanged(Payload):
    """A tender moved to a new stage (closed at the deadline, opened, failed, or cancelled before its opening)."""

    code: str
    site_code: str
    status: Literal["closed", "opened", "failed", "cancelled"]
    reason: str = ""
    occurred_at: datetime
    failed_section_codes: list[str] = Field(default_factory=list)


class ContractSigned(Payload):
    """The contract of an awarded section was signed with its winner (招标投标法 §46).

    The tenderer returns the bid bonds within five days of signing (招标投标法实施条例 §57): the
    guarantee service releases the winner's bid bond on this event.
    """

    project_code: str
    section_code: str
    site_code: str
    winner_credit_code: str
    signed_at: datetime


class BidSubmitted(Payload):
    """A sealed bid arrived: only its project, section and commitment, never its content or bidder."""

    project_code: str
    section_code: str
    commitment: str
    received_at: datetime


class CollusionFlagged(Payload):
    """A collusion screen flagged bids at the opening; a supervisor will confirm or dismiss it."""

    project_code: str
    section_code: str
    site_code: str
    flag_id: str
    screen: str
    score: Decimal
    credit_codes: list[str]
    flagged_at: datetime


class CollusionHearingOpened(Payload):
    """A supervisor gave a bidder a collusion flag names its hearing (陈述申辩): it states its case by ``due_at``."""

    project_code: str
    section_code: str
    site_code: str
    flag_id: str
    screen: str
    credit_code: str
    notice: str
    opened_at: datetime
    due_at: datetime


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("bidding.project.published", ProjectPublished, "A tender was published."),
    EventSpec("bidding.project.closed", ProjectStatusChanged, "A tender's bid deadline passed; no more bids."),
    EventSpec("bidding.project.opened", ProjectStatusChanged, "A tender's bids were opened and the record published."),
    EventSpec("bidding.project.failed", ProjectStatusChanged, "A tender failed (fewer than three bidders or valid bids)."),
    EventSpec("bidding.project.awarded", ProjectAwarded, "A tender was awarded."),
    EventSpec("bidding.section.failed", SectionFailed,
              "A section failed during the evaluation of a tender that carries on (its bid bonds end)."),
    EventSpec("bidding.project.cancelled", ProjectStatusChanged, "A tender was cancelled before its opening."),
    EventSpec("bidding.contract.signed", ContractSigned, "The contract of an awarded section was signed."),
    EventSpec("bidding.bid.submitted", BidSubmitted, "A sealed bid was received (no content)."),
    EventSpec("bidding.collusion.flagged", CollusionFlagged, "A collusion screen flagged bids of a section."),
    EventSpec("bidding.bidder.defaulted", BidderDefaulted, "A bidder or winner defaulted."),
    EventSpec("bidding.collusion.confirmed", CollusionConfirmed, "A supervisor confirmed a collusion flag for a bidder."),
    EventSpec("bidding.collusion.hearing_opened", CollusionHearingOpened,
              "A bidder named by a collusion flag was given its hearing (陈述申辩), with its deadline."),
)
CONSUMES: tuple[str, ...] = (
    "catalog.calendar.changed", "catalog.calendar.year_loaded", "catalog.site.changed",
    "guarantee.guarantee.issued", "guarantee.guarantee.released", "credit.enterprise.color_changed",
)
