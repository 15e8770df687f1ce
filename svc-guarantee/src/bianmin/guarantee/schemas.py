"""Request and response models of the guarantee service's API (money as decimal strings, never floats)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bianmin.kit.identifiers import uscc_problem

GuaranteeType = Literal["bid_bond", "performance"]
Color = Literal["green", "blue", "yellow", "orange", "red"]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1000000000"), max_digits=14, decimal_places=2)]


def _uscc(value: str) -> str:
    problem = uscc_problem(value)
    if problem:
        raise ValueError(f"not a Unified Social Credit Code: {problem}")
    return value


CreditCode = Annotated[str, AfterValidator(_uscc)]
IssuerCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,15}$", description="Upper-case letters and digits.")]


class Strict(BaseModel):
    """Requests refuse unknown fields, so a misspelt field is a 422, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class IssuerCreate(Strict):
    """Register an insurer or bank with its underwriting limits."""

    code: IssuerCode
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["insurer", "bank"]
    credit_code: CreditCode
    max_single_amount: Amount
    max_outstanding_amount: Amount


class IssuerRead(BaseModel):
    """An issuer."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    credit_code: str
    max_single_amount: Decimal
    max_outstanding_amount: Decimal
    active: bool


class TariffCreate(Strict):
    """A dated tariff: the rate (a fraction, e.g. 0.0015) and the minimum fee in yuan."""

    type: GuaranteeType
    effective_from: date
    rate: Decimal = Field(ge=0, le=Decimal("0.2"), max_digits=10, decimal_places=8)
    minimum_fee: Decimal = Field(ge=0, le=Decimal("1000000"), max_digits=12, decimal_places=2)


class TariffRead(BaseModel):
    """A dated tariff."""

    id: int
    issuer_code: str
    type: str
    effective_from: date
    rate: Decimal
    minimum_fee: Decimal


class ColorRuleSet(Strict):
    """What an issuer does for an applicant of one credit color."""

    discount: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("0.9"), max_digits=6, decimal_places=4)
    refuse: bool = False


class ColorRuleRead(BaseModel):
    """An issuer's rule for one color."""

    model_config = ConfigDict(from_attributes=True)

    issuer_code: str
    color: str
    discount: Decimal
    refuse: bool


class QuoteRead(BaseModel):
    """One issuer's price for a guarantee."""

    issuer_code: str
    issuer_name: str
    kind: str
    tariff_id: int
    effective_from: date
    rate: Decimal
    minimum_fee: Decimal
    color: str | None
    discount: Decimal
    fee: Decimal
    effective_rate: Decimal
    refused: bool


class KeyRead(BaseModel):
    """A published public key and its validity period."""

    name: str
    public_key: str
    verifier_key: str
    valid_from: date
    valid_to: date | None


class GuaranteeApply(Strict):
    """An application for a guarantee, by (or for) the bidder."""

    type: GuaranteeType
    issuer_code: IssuerCode
    project_code: str = Field(min_length=1, max_length=64)
    section_code: str = Field(min_length=1, max_length=64)
    applicant_credit_code: CreditCode
    applicant_name: str = Field(min_length=1, max_length=200)
    amount: Amount
    expires_on: date


class StepRead(BaseModel):
    """One recorded step of a guarantee."""

    model_config = ConfigDict(from_attributes=True)

    action: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    detail: dict[str, Any]


class GuaranteeRead(BaseModel):
    """A guarantee as its parties see it."""

    number: str
    type: str
    status: str
    issuer_code: str
    applicant_credit_code: str
    applicant_name: str
    beneficiary_name: str
    beneficiary_credit_code: str
    project_code: str
    section_code: str
    site_code: str
    amount: Decimal
    currency: str
    applied_on: date
    valid_from: date
    expires_on: date
    rate: Decimal
    discount: Decimal
    fee: Decimal
    underwriting: list[dict[str, Any]]
    issued_at: datetime | None
    document_hash: str | None
    key_name: str | None
    leaf_index: int | None
    amendment_count: int
    steps: list[StepRead] = []


class ReleaseRequest(Strict):
    """Why a guarantee is released (e.g. the contract was signed)."""

    reason: str = Field(min_length=1, max_length=500)


class AmendmentCreate(Strict):
    """An amendment: an increase of the amount or an extension of the expiry."""

    kind: Literal["increase", "extension"]
    new_amount: Amount | None = None
    new_expires_on: date | None = None
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_change(self) -> AmendmentCreate:
        if self.kind == "increase" and (self.new_amount is None or self.new_expires_on is not None):
            raise ValueError("an increase gives new_amount only")
        if self.kind == "extension" and (self.new_expires_on is None or self.new_amount is not None):
            raise ValueError("an extension gives new_expires_on only")
        return self


class AmendmentRead(BaseModel):
    """A numbered amendment."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    kind: str
    previous_amount: Decimal
    new_amount: Decimal
    previous_expires_on: date
    new_expires_on: date
    extra_fee_fen: int
    reason: str
    document_hash: str
    leaf_index: int
    by: str
    at: datetime


class ClaimCreate(Strict):
    """A demand for payment with its supporting statement; ``extend_or_pay`` also asks for an extension."""

    amount: Amount
    statement: str = Field(min_length=1, max_length=5000)
    kind: Literal["pay", "extend_or_pay"] = "pay"
    requested_expires_on: date | None = Field(default=None, description="The extension an extend-or-pay demand asks for.")

    @model_validator(mode="after")
    def _extension_asked(self) -> ClaimCreate:
        if self.kind == "extend_or_pay" and self.requested_expires_on is None:
            raise ValueError("an extend_or_pay demand gives requested_expires_on")
        if self.kind == "pay" and self.requested_expires_on is not None:
            raise ValueError("requested_expires_on belongs to an extend_or_pay demand")
        return self


class ClaimSuspend(Strict):
    """Suspend payment of an extend-or-pay demand until the end of a day (at most 30 days after the demand)."""

    until: date


class ClaimPay(Strict):
    """The payment of a complying demand."""

    payment_reference: str = Field(min_length=1, max_length=100)


class ClaimReject(Strict):
    """A rejection notice listing every discrepancy."""

    discrepancies: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1, max_length=50)


class ClaimRead(BaseModel):
    """A demand and its examination."""

    model_config = ConfigDict(from_attributes=True)

    number: str
    guarantee_number: str
    status: str
    kind: str
    requested_expires_on: date | None
    suspended_until: datetime | None
    amount: Decimal
    statement: str
    source: str
    filed_by: str
    filed_at: datetime
    examine_by: datetime
    decided_by: str | None
    decided_at: datetime | None
    discrepancies: list[str]
    payment_reference: str | None


class SignedDocument(BaseModel):
    """The canonical document with its issuer's signature, as the offline verifier reads it."""

    document: dict[str, Any]
    signature: str
    key_name: str


class ProofRead(BaseModel):
    """Everything needed to check a guarantee offline: document, leaf, inclusion proof, checkpoint."""

    signed: SignedDocument
    leaf_index: int
    tree_size: int
    entry: dict[str, Any]
    inclusion_proof: list[str]
    checkpoint: str
    issuer_key: str
    log_key: str


class CheckRead(BaseModel):
    """One check of a verification: what was checked, whether it held, and why."""

    name: Literal["record", "document", "signature", "ledger", "status"]
    ok: bool
    reason: str


class VerificationRead(BaseModel):
    """The answer of 验真: genuine, altered, unknown or revoked, and why (every check, in order)."""

    number: str | None
    verdict: Literal["genuine", "altered", "unknown", "revoked"]
    status: str | None = None
    reasons: list[str]
    checks: list[CheckRead] = []
    document_hash: str | None = None
    checked_at: datetime


class PresentedDocument(Strict):
    """The guarantee as its holder has it: the canonical document, its signature and the key named."""

    document: dict[str, Any] = Field(description="The document as issued (canonical JSON; key order and spacing "
                                                 "do not matter, values do).")
    signature: str = Field(min_length=1, max_length=200, description="The issuer's Ed25519 signature, base64.")
    key_name: str | None = Field(default=None, max_length=80,
                                 description="The signing key; defaults to the document's own key_name.")


class CheckpointRead(BaseModel):
    """A signed checkpoint, with witnesses' countersignatures appended."""

    origin: str
    size: int
    root_hash: str
    note: str
    witnesses: list[str]


class ConsistencyRead(BaseModel):
    """A consistency proof between two sizes."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class InclusionRead(BaseModel):
    """An inclusion proof of one leaf."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class WitnessCosign(Strict):
    """A witness's countersignature: one C2SP signature line over the checkpoint's text."""

    signature_line: str = Field(min_length=10, max_length=300)


class DeliveryRead(BaseModel):
    """One push to the provincial platform and its attempts."""

    id: int
    guarantee_number: str
    kind: str
    status: str
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    log: list[dict[str, Any]]
