"""The queue service's refusals: one class per meaning, each with the one ``code`` clients see.

Routes and rules raise these by name; the kit's handler turns each into problem+json with its
status and code. A step that the current state of a ticket, an appointment or a rectification case
does not allow is the kit's :class:`~bianmin.kit.errors.TransitionForbidden` (``transition_forbidden``,
the platform's one spelling; these once answered ``ticket_state``, ``appointment_state`` and
``rectification_state``), and the detail names the state and the step.
"""

from __future__ import annotations

from bianmin.kit.errors import Conflict, NotFound, TransitionForbidden
from bianmin.kit.errors import DecidedAboveSite as DecidedAboveSite  # the kit's code, raised here by name
from bianmin.kit.errors import NotTheHolder as NotTheHolder  # the kit's code, raised here by name


class HallNotFound(NotFound):
    """No hall has this code."""

    code = "hall_not_found"


class LineNotFound(NotFound):
    """The hall has no line with this prefix letter."""

    code = "line_not_found"


class CounterNotFound(NotFound):
    """No counter has this id."""

    code = "counter_not_found"


class TicketNotFound(NotFound):
    """No ticket has this id."""

    code = "ticket_not_found"


class SlotNotFound(NotFound):
    """No appointment slot has this id."""

    code = "slot_not_found"


class AppointmentNotFound(NotFound):
    """No appointment has this booking code."""

    code = "appointment_not_found"


class EvaluationNotFound(NotFound):
    """The ticket has not been evaluated."""

    code = "evaluation_not_found"


class RectificationNotFound(NotFound):
    """No rectification case has this id."""

    code = "rectification_not_found"


class HallExists(Conflict):
    """The site has a hall already."""

    code = "hall_exists"


class LineExists(Conflict):
    """The hall has a line with this prefix letter already."""

    code = "line_exists"


class CounterExists(Conflict):
    """The hall has a counter with this number already."""

    code = "counter_exists"


class SiteClosed(Conflict):
    """The hall's site is closed in the district's registry: it issues no tickets and takes no bookings."""

    code = "site_closed"


class LineInactive(Conflict):
    """The line is not taking tickets."""

    code = "line_inactive"


class LineFull(Conflict):
    """The line has issued its numbers for the day (its daily cap, or the last three-digit number)."""

    code = "line_full"


class CounterNotOpen(Conflict):
    """A paused or closed counter calls nobody."""

    code = "counter_not_open"


class CounterBusy(Conflict):
    """The counter still has a called or served ticket to finish."""

    code = "counter_busy"


class RecallsExhausted(Conflict):
    """The ticket was recalled as often as allowed; mark it no-show instead."""

    code = "recalls_exhausted"


class RecallsRemaining(Conflict):
    """A ticket is marked no-show only after the allowed recalls."""

    code = "recalls_remaining"


class SlotPast(Conflict):
    """The slot has started; book a later one."""

    code = "slot_past"


class BeyondHorizon(Conflict):
    """The slot lies beyond the booking horizon."""

    code = "beyond_horizon"


class HallClosed(Conflict):
    """The hall does not open on the slot's day."""

    code = "hall_closed"


class CalendarYearUnknown(Conflict):
    """No State Council holiday notice is loaded for the day's year: no slot is offered or booked there."""

    code = "calendar_year_unknown"


class DailyLimitReached(Conflict):
    """The person holds as many appointments on that day as one may."""

    code = "daily_limit_reached"


class SlotFull(Conflict):
    """Every place of the slot is booked."""

    code = "slot_full"


class SlotStarted(Conflict):
    """The slot has started; the appointment can no longer be cancelled."""

    code = "slot_started"


class CheckInWrongDay(Conflict):
    """The appointment is for another day."""

    code = "checkin_wrong_day"


class CheckInTooEarly(Conflict):
    """Check-in has not opened yet."""

    code = "checkin_too_early"


class AlreadyEvaluated(Conflict):
    """A service is evaluated once (一次一评)."""

    code = "already_evaluated"


class TicketStepForbidden(TransitionForbidden):
    """The ticket's state does not allow this step (a ticket completed before it was started)."""


class TicketNotFinished(TransitionForbidden):
    """Only a finished service is evaluated."""


class AppointmentNotBooked(TransitionForbidden):
    """The appointment was cancelled or checked in already."""


class RectificationStepForbidden(TransitionForbidden):
    """The case's state does not allow this step of the rectification flow."""



