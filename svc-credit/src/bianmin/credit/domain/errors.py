"""The credit service's refusals, each a named class with its one status and stable ``code``.

Routes and rules raise these by name, so a code is spelled once and the kit's handler turns each
into problem+json. The codes are the ones clients have always seen. The platform's shared
refusals (a missing scope, another tenant's resource, a district-only change) are the kit's
:class:`~bianmin.kit.errors.ScopeMissing`, :class:`~bianmin.kit.errors.TenantMismatch` and
:class:`~bianmin.kit.errors.DistrictOnly`, which the kit's identity checks raise.
"""

from __future__ import annotations

from bianmin.kit.errors import Conflict, FieldProblem, NotFound, Unprocessable
from bianmin.kit.errors import SeparationOfDuties as SeparationOfDuties  # the kit's code, raised here by name


class EnterpriseNotFound(NotFound):
    """No enterprise has this credit code."""

    code = "enterprise_not_found"


class EnterpriseExists(Conflict):
    """The credit code is registered under another name (renames go through PATCH)."""

    code = "enterprise_exists"


class InvalidCreditCode(Unprocessable):
    """The credit code of a registration fails the GB 32100 check (and is not an admitted legacy code)."""

    code = "invalid_credit_code"

    def __init__(self, reason: str) -> None:
        """Name the field ``credit_code`` and the reason, as ``Unprocessable.field`` does."""
        super().__init__(f"credit_code: {reason}", errors=[FieldProblem(field="credit_code", reason=reason)])


class UnsupportedMediaType(Unprocessable):
    """The enterprise import was sent as something other than CSV."""

    code = "unsupported_media_type"


class RecordNotFound(NotFound):
    """No bad record has this id."""

    code = "record_not_found"


class RecordNotPending(Conflict):
    """Only a pending record can be confirmed."""

    code = "record_not_pending"


class RecordClosed(Conflict):
    """A revoked or repaired record can no longer be revoked."""

    code = "record_closed"


class RecordNotConfirmed(Conflict):
    """Only a confirmed record can be repaired (or have a repair applied for)."""

    code = "record_not_confirmed"


class RecordExpired(Conflict):
    """The record no longer counts, so there is nothing to repair."""

    code = "record_expired"


class BonusNotFound(NotFound):
    """No bonus item has this id."""

    code = "bonus_not_found"


class BonusDecided(Conflict):
    """The bonus item was approved or rejected already."""

    code = "bonus_decided"


class RepairNotFound(NotFound):
    """No repair application has this id."""

    code = "repair_not_found"


class RepairTooEarly(Conflict):
    """The severity's minimum publication period has not passed yet."""

    code = "repair_too_early"


class RepairOpen(Conflict):
    """Another repair application for the record awaits its decision."""

    code = "repair_open"


class RepairDecided(Conflict):
    """The repair application was approved or rejected already."""

    code = "repair_decided"


class RuleVersionNotFound(NotFound):
    """There is no rule version of this number."""

    code = "rule_version_not_found"


class InvalidRules(Unprocessable):
    """A rule body breaks a statutory bound or disagrees with itself."""

    code = "invalid_rules"


class RulesEditedConcurrently(Conflict):
    """Another rule version was added at the same moment."""

    code = "rules_edited_concurrently"

