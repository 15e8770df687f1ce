from bench.checks import exactly_once


def test_every_ticket_called_once_passes() -> None:
    check = exactly_once([1, 2, 3], [3, 1, 2])
    assert check.ok
    assert check.describe() == "all 3 tickets called exactly once"


def test_a_ticket_called_twice_fails_the_check() -> None:
    check = exactly_once([1, 2, 3], [1, 2, 2, 3])
    assert not check.ok
    assert check.duplicates == {2: 2}
    assert "called more than once" in check.describe()


def test_a_ticket_never_called_fails_the_check() -> None:
    check = exactly_once([1, 2, 3], [1, 2])
    assert not check.ok
    assert check.missing == frozenset({3})


def test_a_call_of_a_ticket_that_was_not_waiting_fails_the_check() -> None:
    check = exactly_once([1, 2], [1, 2, 9])
    assert not check.ok
    assert check.unexpected == frozenset({9})
