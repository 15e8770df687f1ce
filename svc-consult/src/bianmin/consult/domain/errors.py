"""The refusals of the consult service, one class per meaning, each with the stable ``code`` clients see.

Routes and rules raise these by name; the kit's handler turns each into problem+json with its
status and code. Codes every service shares come from the kit and are raised from there
(:class:`~bianmin.kit.errors.ScopeMissing`, :class:`~bianmin.kit.errors.TenantMismatch`); a step
the current state does not allow is the kit's :class:`~bianmin.kit.errors.TransitionForbidden`
(``transition_forbidden``, once spelled ``invalid_transition`` here), so clients handle it once
for every service, and the detail names the state and the step.
"""

from __future__ import annotations

from bianmin.kit.errors import Conflict, FieldProblem, Forbidden, NotFound, TransitionForbidden, Unprocessable


class NotTheAsker(Forbidden):
    """Only who asked rates the answer (国办发〔2019〕51号: 评价主体是办事企业和群众), never the staff who answered."""

    code = "not_the_asker"


class DepartmentMismatch(Forbidden):
    """Department staff act on, and see the figures of, their own departments only."""

    code = "department_mismatch"


class UnknownAccessCode(NotFound):
    """No consultation for this access code (a wrong and a malformed code answer alike)."""

    code = "unknown_access_code"


class UnknownTrackingCode(NotFound):
    """No suggestion-box entry for this tracking code (a wrong and a malformed code answer alike)."""

    code = "unknown_tracking_code"


class UnknownDepartment(Unprocessable):
    """A department that is not known or not active, named in a request field."""

    code = "unknown_department"

    def __init__(self, field: str, department: str) -> None:
        reason = f"unknown or inactive department {department}"
        super().__init__(f"{field}: {reason}", errors=[FieldProblem(field=field, reason=reason)])


class ConsultationStepForbidden(TransitionForbidden):
    """The consultation's status does not allow this step (answer a closed one, extend an answered one)."""


class SuggestionStepForbidden(TransitionForbidden):
    """The suggestion-box entry's status does not allow this step (close one not yet replied to)."""


class RectificationStepForbidden(TransitionForbidden):
    """The rectification case's status does not allow this step (fix before contacting the asker)."""


class ArticleArchived(TransitionForbidden):
    """An archived article is not edited; it is published again first."""


class ArticleAlreadyPublished(TransitionForbidden):
    """The article is published already."""


class ArticleAlreadyArchived(TransitionForbidden):
    """The article is archived already."""


class AlreadyWithDepartment(Conflict):
    """A transfer to the department that already has the consultation."""

    code = "same_department"


class AlreadyRated(Conflict):
    """A rated answer is final: no second rating (but the follow-up after a fix), no reopening."""

    code = "already_rated"


class ReopenWindowClosed(Conflict):
    """The working days in which the asker may reopen an answered question have passed."""

    code = "reopen_window_closed"


class NotAnswered(Conflict):
    """Only an answered consultation is rated or promoted to the knowledge base."""

    code = "not_answered"


class ExtensionTooLate(Conflict):
    """An extension is requested before the deadline, never after it."""

    code = "extension_too_late"


class ExtensionPending(Conflict):
    """One extension request may be pending at a time."""

    code = "extension_pending"


class ExtensionAlreadyDecided(Conflict):
    """The extension request was approved or rejected already."""

    code = "already_decided"


class NoConsent(Conflict):
    """The asker did not consent to publishing their question and its answer."""

    code = "no_consent"


class AlreadyPromoted(Conflict):
    """The consultation has become a knowledge-base article already."""

    code = "already_promoted"
