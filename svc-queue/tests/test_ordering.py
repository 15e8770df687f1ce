"""The call order as pure rules: appointments, priorities, weighted waits and the starvation cap."""

from datetime import datetime, timedelta

from bianmin.kit.workdays import SHANGHAI
from bianmin.queue.domain.ordering import Candidate, Rules, explain, rank

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
RULES = Rules(starvation_cap=timedelta(minutes=45), due_lead=timedelta(minutes=5))


def waited(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def order(candidates: list[Candidate], weights: dict[int, int] | None = None, counter: int = 1) -> list[tuple[int, str]]:
    picks = rank(candidates, weights=weights or {1: 1, 2: 1}, counter_id=counter, now=NOW, rules=RULES)
    return [(p.candidate.ticket_id, p.reason) for p in picks]


def test_longest_wait_comes_first_among_equals() -> None:
    assert order([Candidate(1, 1, waited(5)), Candidate(2, 1, waited(20)), Candidate(3, 1, waited(10))]) == [
        (2, "longest_wait"), (3, "longest_wait"), (1, "longest_wait")]


def test_a_due_appointment_goes_before_priority_and_longer_waits() -> None:
    picks = order([Candidate(1, 1, waited(30)), Candidate(2, 1, waited(1), elderly=True),
                   Candidate(3, 1, waited(2), due_at=NOW + timedelta(minutes=3))])
    assert picks[0] == (3, "appointment_due")
    assert picks[1] == (2, "priority_elderly")


def test_an_appointment_checked_in_early_waits_like_a_walk_in_until_due() -> None:
    picks = order([Candidate(1, 1, waited(10)), Candidate(2, 1, waited(3), due_at=NOW + timedelta(minutes=40))])
    assert picks == [(1, "longest_wait"), (2, "longest_wait")]


def test_due_appointments_go_by_slot_time() -> None:
    picks = order([Candidate(1, 1, waited(1), due_at=NOW), Candidate(2, 1, waited(1), due_at=NOW - timedelta(minutes=10))])
    assert [p[0] for p in picks] == [2, 1]


def test_priorities_are_named_and_ordered_by_wait() -> None:
    picks = order([Candidate(1, 1, waited(2), disabled=True), Candidate(2, 1, waited(8), green_channel=True),
                   Candidate(3, 1, waited(30))])
    assert picks == [(2, "priority_green_channel"), (1, "priority_disabled"), (3, "longest_wait")]


def test_weights_favour_a_line_until_the_other_waited_proportionally_longer() -> None:
    weights = {1: 3, 2: 1}
    assert order([Candidate(1, 1, waited(5)), Candidate(2, 2, waited(12))], weights)[0][0] == 1
    assert order([Candidate(1, 1, waited(5)), Candidate(2, 2, waited(16))], weights)[0][0] == 2


def test_the_starvation_cap_beats_priority_and_appointments() -> None:
    picks = order([Candidate(1, 1, waited(1), elderly=True), Candidate(2, 1, waited(1), due_at=NOW),
                   Candidate(3, 2, waited(46))], {1: 10, 2: 1})
    assert picks[0] == (3, "starvation_cap")


def test_nothing_starves_under_a_stream_of_priority_tickets() -> None:
    """A plain ticket is eventually called although an elderly ticket arrives every minute."""
    plain = Candidate(0, 1, NOW)
    waiting = [plain]
    called_at = None
    for minute in range(1, 120):
        now = NOW + timedelta(minutes=minute)
        waiting.append(Candidate(minute, 1, now, elderly=True))
        picks = rank(waiting, weights={1: 1}, counter_id=1, now=now, rules=RULES)
        first = picks[0].candidate
        waiting.remove(first)
        if first is plain:
            called_at = minute
            assert picks[0].reason == "starvation_cap"
            break
    assert called_at is not None
    assert called_at <= 46


def test_lines_the_counter_does_not_serve_and_tickets_sent_elsewhere_are_left_out() -> None:
    picks = order([Candidate(1, 3, waited(50)), Candidate(2, 1, waited(5), target_counter_id=9),
                   Candidate(3, 1, waited(1))])
    assert picks == [(3, "longest_wait")]


def test_a_ticket_transferred_to_this_counter_comes_before_plain_waits() -> None:
    picks = order([Candidate(1, 1, waited(20)), Candidate(2, 1, waited(1), target_counter_id=1)])
    assert picks[0] == (2, "transfer")


def test_the_explanation_carries_the_score_details() -> None:
    pick = rank([Candidate(1, 1, waited(10))], weights={1: 2}, counter_id=1, now=NOW, rules=RULES)[0]
    details = explain(pick)
    assert details == {"wait_seconds": 600, "weight": 2, "weighted_wait": 1200, "starvation_cap_seconds": 2700,
                       "priorities": [], "tier": "longest_wait"}
