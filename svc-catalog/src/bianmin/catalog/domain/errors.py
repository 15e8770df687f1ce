"""The catalog's refusals, one named class each with its fixed ``code`` (the kit turns them into problem+json).

The codes every service shares come from the kit: ``TransitionForbidden`` (409
``transition_forbidden``: the current state does not allow this step), ``ScopeMissing``,
``TenantMismatch`` and ``DistrictOnly``. The detail a route gives names the state and the step.
"""

from __future__ import annotations

from bianmin.kit.errors import Conflict, NotFound, TransitionForbidden, Unprocessable
from bianmin.kit.errors import DecidedAboveSite as DecidedAboveSite  # the kit's code, raised here by name
from bianmin.kit.errors import NotTheHolder as NotTheHolder  # the kit's code, raised here by name
from bianmin.kit.errors import SeparationOfDuties as SeparationOfDuties  # the kit's code, raised here by name


class ItemNotFound(NotFound):
    """No such item, or one this principal may not see (a draft or a withdrawn item for the public)."""

    code = "item_not_found"


class ItemExists(Conflict):
    """An item with this implementation code exists already."""

    code = "item_exists"


class ItemWithdrawn(Conflict):
    """A withdrawn item is frozen: its fields no longer change."""

    code = "item_withdrawn"


class ItemTransitionForbidden(TransitionForbidden):
    """The item's status does not allow this move (draft → published ⇄ suspended → withdrawn)."""


class SiteNotFound(NotFound):
    """No site with this code."""

    code = "site_not_found"


class SiteExists(Conflict):
    """A site with this code exists already."""

    code = "site_exists"


class SiteRefused(Unprocessable):
    """A site, or rows of a site file, break the district's code scheme (domain.sites); every problem is named."""

    code = "invalid_site"


class SiteHasOpenSites(Conflict):
    """A site cannot close while open sites stand under it: close (or move) those first."""

    code = "site_has_open_sites"


class OverrideNotFound(NotFound):
    """The calendar has no operator's override for this day."""

    code = "override_not_found"


class CalendarYearNotFound(NotFound):
    """No notice was ever loaded for this year."""

    code = "calendar_year_not_found"


class CalendarVersionConflict(Conflict):
    """The year is not at the version the load expected (another load came first)."""

    code = "calendar_version_conflict"


class AgreementExists(Conflict):
    """This cross-province agreement (partner region, signing date, mode) is recorded already."""

    code = "agreement_exists"


class ApplicationNotFound(NotFound):
    """No such application, or one of another township's sites."""

    code = "application_not_found"


class ApplicationTransitionForbidden(TransitionForbidden):
    """The application's status does not allow this step."""


class ApplicationNotRateable(Conflict):
    """Only an accepted, approved, rejected or completed application can be rated."""

    code = "not_rateable"


class AlreadyRated(Conflict):
    """One rating per application (一事一评)."""

    code = "already_rated"


class NoRectificationCase(Conflict):
    """A good review has no rectification case to advance."""

    code = "no_case"


class CaseStepForbidden(TransitionForbidden):
    """The rectification case's status does not allow this step."""


class AlreadyAppealed(Conflict):
    """A review can be appealed once."""

    code = "already_appealed"


class EvaluationNotFound(NotFound):
    """No such evaluation, or one of another township's sites."""

    code = "evaluation_not_found"


class PolicyNotFound(NotFound):
    """No policy with this code."""

    code = "policy_not_found"


class PolicyExists(Conflict):
    """A policy with this code exists already."""

    code = "policy_exists"


class PolicyClosed(Conflict):
    """The policy's period does not include today, so no redemption can be applied for."""

    code = "policy_closed"


class RedemptionNotFound(NotFound):
    """No redemption with this id."""

    code = "redemption_not_found"


class RedemptionTransitionForbidden(TransitionForbidden):
    """The redemption's status does not allow this move (applied → approved → paid, or rejected)."""



