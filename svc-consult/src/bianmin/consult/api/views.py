"""The answers the consult routes send, built from what the domain found.

One place decides what each audience sees of a row: staff see a consultation with its whole history,
the asker sees their own question and exchanges only, a suggestion's tracking code shows the status
and the reply and nothing else, and a receipt shows its secret code the one time it exists in clear.

Contact data (name, phone, e-mail) is masked in every answer (个人信息保护法 §6, minimum necessary)
unless ``unmasked``: only the department's staff reading one entry to handle it see it in clear, and
that route records the read (:func:`bianmin.kit.access_log.record_access`).
"""

from __future__ import annotations

from datetime import date

from bianmin.consult.domain.consultations import AskerRecord, History
from bianmin.consult.domain.stats import ConsultFigures
from bianmin.consult.models import Article, Consultation, Suggestion, SuggestionEscalation
from bianmin.consult.schemas import (
    AskerView,
    ConsultationDetail,
    ConsultationRead,
    ConsultationReceipt,
    ConsultStats,
    EscalationRead,
    ExtensionRead,
    MessageRead,
    PauseRead,
    SuggestHit,
    SuggestionDetail,
    SuggestionEscalationRead,
    SuggestionRead,
    SuggestionReceipt,
    SuggestionTrack,
    TopicCount,
    TransferRead,
)
from bianmin.kit.identifiers import mask_name, mask_phone

SNIPPET = 80
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def mask_email(email: str) -> str:
    """Keep the first character of the local part and the domain: ``z***@example.com``."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


def _masked(values: dict[str, object]) -> dict[str, object]:
    """The contact fields of an answer, masked."""
    masks = {"contact_name": mask_name, "contact_phone": mask_phone, "contact_email": mask_email}
    return {**values, **{f: masks[f](v) for f, v in values.items() if f in masks and isinstance(v, str) and v}}


def shown_contacts(row: Consultation | Suggestion) -> list[str]:
    """The contact fields a row holds (what an unmasked read shows, for the access log)."""
    return [f for f in CONTACT_FIELDS if getattr(row, f, None)]


def consultation_read(row: Consultation, *, unmasked: bool = False) -> ConsultationRead:
    """A consultation as staff see it in a list, contact data masked unless ``unmasked``."""
    values = ConsultationRead.model_validate(row).model_dump()
    return ConsultationRead(**(values if unmasked else _masked(values)))


def suggestion_read(entry: Suggestion, *, unmasked: bool = False) -> SuggestionRead:
    """A suggestion-box entry as its department sees it, contact data masked unless ``unmasked``."""
    values = SuggestionRead.model_validate(entry).model_dump()
    return SuggestionRead(**(values if unmasked else _masked(values)))


def consultation_detail(found: History, *, unmasked: bool = False) -> ConsultationDetail:
    """A consultation as staff see it, with its messages, transfers, pauses, escalations and extensions."""
    return ConsultationDetail(
        **consultation_read(found.consultation, unmasked=unmasked).model_dump(),
        messages=[MessageRead.model_validate(m) for m in found.messages],
        transfers=[TransferRead.model_validate(t) for t in found.transfers],
        pauses=[PauseRead.model_validate(p) for p in found.pauses],
        escalations=[EscalationRead.model_validate(e) for e in found.escalations],
        extensions=[ExtensionRead.model_validate(e) for e in found.extensions],
    )


def asker_view(found: AskerRecord) -> AskerView:
    """What the asker may see of their consultation through the access code."""
    consultation = found.consultation
    return AskerView(
        number=consultation.number, kind=consultation.kind, title=consultation.title, status=consultation.status,
        department_code=consultation.department_code, submitted_at=consultation.submitted_at,
        due_at=consultation.due_at, due_provisional=consultation.due_provisional, due_basis=consultation.due_basis,
        answer=consultation.answer, answered_at=consultation.answered_at,
        rating=consultation.rating, messages=[MessageRead.model_validate(m) for m in found.messages],
        reopen_until=found.reopen_until)


def consultation_receipt(consultation: Consultation, access_code: str) -> ConsultationReceipt:
    """The answer to a new question: its number and deadline, and the access code shown this once."""
    return ConsultationReceipt(id=consultation.id, number=consultation.number, status=consultation.status,
                               department_code=consultation.department_code, due_at=consultation.due_at,
                               due_provisional=consultation.due_provisional, due_basis=consultation.due_basis,
                               access_code=access_code)


def suggestion_receipt(entry: Suggestion, tracking_code: str) -> SuggestionReceipt:
    """The answer to a new suggestion-box entry: its reply deadline, and the tracking code shown this once."""
    return SuggestionReceipt(tracking_code=tracking_code, status=entry.status, submitted_at=entry.submitted_at,
                             due_at=entry.due_at, due_provisional=entry.due_provisional, due_basis=entry.due_basis)


def suggestion_track(entry: Suggestion) -> SuggestionTrack:
    """What a tracking code shows: the status and the reply, nothing else."""
    return SuggestionTrack(status=entry.status, reply=entry.reply, replied_at=entry.replied_at)


def suggestion_detail(entry: Suggestion, steps: list[SuggestionEscalation], *, unmasked: bool = False) -> SuggestionDetail:
    """An entry as its department sees it, with the escalation steps it reached."""
    return SuggestionDetail(**suggestion_read(entry, unmasked=unmasked).model_dump(),
                            escalations=[SuggestionEscalationRead.model_validate(s) for s in steps])


def suggest_hits(hits: list[tuple[Article, int, int]]) -> list[SuggestHit]:
    """Search-as-you-type answers: each article's title, the start of its body and how well it matched."""
    return [SuggestHit(article_id=a.id, title=a.title, snippet=a.body[:SNIPPET], department_code=a.department_code,
                       matched=matched, score=score) for a, matched, score in hits]


def consult_stats(found: ConsultFigures, *, start: date | None, end: date | None,
                  departments: list[str] | None) -> ConsultStats:
    """The figures of a period and a department selection."""
    return ConsultStats(start=start, end=end, departments=departments, received=found.received,
                        answered=found.answered, on_time_rate=found.on_time_rate,
                        first_response_hours_p50=found.first_response_hours_p50,
                        first_response_hours_p90=found.first_response_hours_p90, escalations=found.escalations,
                        satisfaction_rate=found.satisfaction_rate, ratings=found.ratings,
                        top_unanswered_topics=[TopicCount(topic=t, count=n) for t, n in found.top_unanswered_topics])
