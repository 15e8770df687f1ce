"""The guarantee service's refusals, one class per meaning, each with the stable ``code`` clients see.

Routes and rules raise these by name; the kit's handler turns each into problem+json with its
status and code. "The current state does not allow this step" is the kit's
:class:`~bianmin.kit.errors.TransitionForbidden` (``transition_forbidden``) platform-wide; this
service once spelled it ``invalid_transition``. A field-level 422 stays
``Unprocessable.field(name, reason, code=...)``: the kit's constructor for it names the field.
"""

from __future__ import annotations

from bianmin.kit.errors import Conflict, FieldProblem, Forbidden, NotFound, TransitionForbidden, Unprocessable

# 403: who may act


class NotTheIssuer(Forbidden):
    """Only the guarantee's issuer (or district staff, for the issuer's own settings) acts here."""

    code = "not_the_issuer"


class NotTheApplicant(Forbidden):
    """The key does not apply for that enterprise (scope ``guarantee:applicant:<credit code>``)."""

    code = "not_the_applicant"


class NotTheBeneficiary(Forbidden):
    """Only the beneficiary (or site staff for it) makes a demand."""

    code = "not_the_beneficiary"


class ReleaseNotAllowed(Forbidden):
    """Only the issuer or the trading centre releases a guarantee."""

    code = "not_allowed"


class UnknownWitness(Forbidden):
    """The countersignature names a witness this ledger does not accept."""

    code = "unknown_witness"


# 404: what does not exist (or is not visible to this key)


class GuaranteeNotFound(NotFound):
    """No guarantee with this number that the key may see."""

    code = "guarantee_not_found"


class GuaranteeNotIssued(NotFound):
    """The guarantee exists but was never issued, so it has no signed document to prove."""

    code = "guarantee_not_issued"


class ClaimNotFound(NotFound):
    """No demand with this number."""

    code = "claim_not_found"


class IssuerNotFound(NotFound):
    """No issuer with this code."""

    code = "issuer_not_found"


class ProjectNotFound(NotFound):
    """No tender with this code has been published (yet)."""

    code = "project_not_found"


class CheckpointNotFound(NotFound):
    """No checkpoint was signed at that size (or the ledger is empty)."""

    code = "checkpoint_not_found"


class LeafNotFound(NotFound):
    """No ledger entry at that index."""

    code = "leaf_not_found"


class LogKeyNotFound(NotFound):
    """The ledger is empty: its key is made with the first entry."""

    code = "log_key_not_found"


# 409: the state forbids it


class GuaranteeTransitionForbidden(TransitionForbidden):
    """The guarantee's state does not allow this step (issue twice, release an application, ...)."""


class ClaimTransitionForbidden(TransitionForbidden):
    """The demand's state does not allow this decision (pay a rejected demand, suspend a paid one, ...)."""


class IssuerExists(Conflict):
    """An issuer with this code is registered already."""

    code = "issuer_exists"


class TariffExists(Conflict):
    """The issuer already has a tariff of this type starting on that date."""

    code = "tariff_exists"


class NoTariffInForce(Conflict):
    """The issuer has no tariff in force today for an amendment's extra fee."""

    code = "no_tariff"


class TenderFailed(Conflict):
    """The section failed; it takes no guarantee."""

    code = "tender_failed"


class TenderEnded(Conflict):
    """The tender ended for this bid bond (its section failed or went to another bidder); it is not issued."""

    code = "tender_ended"


class BidDeadlinePassed(Conflict):
    """The tender's bid deadline has passed (or bidding closed it)."""

    code = "bid_deadline_passed"


class NotAwarded(Conflict):
    """A performance bond needs an awarded section."""

    code = "not_awarded"


class DuplicateGuarantee(Conflict):
    """The applicant already has a guarantee of this type for this section."""

    code = "duplicate_guarantee"


class GuaranteeExpired(Conflict):
    """The guarantee expired; no demand can be made under it."""

    code = "guarantee_expired"


class NotExtendOrPay(Conflict):
    """Only an extend-or-pay demand can be suspended."""

    code = "not_extend_or_pay"


class PaymentSuspended(Conflict):
    """Payment of the demand is suspended while the applicant decides to extend (URDG 758 art. 23)."""

    code = "payment_suspended"


class AlreadyCosigned(Conflict):
    """This witness has countersigned this checkpoint already."""

    code = "already_cosigned"


# 422: a rule refuses the input


class IncreaseRefused(Unprocessable):
    """An increase that a rule refuses: every failed rule is listed on ``new_amount``."""

    code = "increase_refused"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("new_amount: " + "; ".join(reasons),
                         errors=[FieldProblem(field="new_amount", reason=r) for r in reasons])
