"""A guarantee's current state, read from its ledger entries alone (no database).

Every change of a guarantee appends one ledger entry (``kind``): ``issued``, ``amended``,
``claimed``, ``claim_suspended``, ``claim_rejected``, ``claim_withdrawn``, ``paid``, ``released``
and ``expired``. Replaying them in ledger order gives the state a beneficiary must know before
relying on the guarantee (URDG 758 art. 25: a guarantee ends on payment, release or expiry):

- ``issued`` / ``amended``: in force (``amended``: the terms were increased or extended, art. 11);
- ``claimed``: in force with a demand under examination (a suspended extend-or-pay demand too);
  a rejected or withdrawn demand returns it to the last in-force state;
- ``paid``, ``released``, ``expired``: ended; the document no longer secures anything.

An entry the bundle leaves out cannot be detected from the bundle itself (a log proves inclusion,
not absence); whoever doubts it reads every leaf of the log up to the checkpoint's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

IN_FORCE = frozenset({"issued", "amended", "claimed"})
ENDED = frozenset({"paid", "released", "expired"})
_CLAIM_OPEN = {"claimed": "claimed", "claim_suspended": "claimed"}
_CLAIM_CLOSED = frozenset({"claim_rejected", "claim_withdrawn"})


class StateError(ValueError):
    """Ledger entries that no guarantee's life could have produced."""


def replay(entries: Iterable[dict[str, Any]]) -> str:
    """The state after the entries, in ledger order; StateError when the sequence is impossible."""
    state: str | None = None
    in_force: str | None = None
    for entry in entries:
        kind = entry.get("kind")
        if state is None:
            if kind != "issued":
                raise StateError(f"the first entry of a guarantee is its issue, not {kind!r}")
            state = in_force = "issued"
        elif state in ENDED:
            raise StateError(f"an entry {kind!r} follows the end of the guarantee ({state})")
        elif kind == "amended":
            state = in_force = "amended"
        elif kind in _CLAIM_OPEN:
            state = _CLAIM_OPEN[kind]
        elif kind in _CLAIM_CLOSED:
            state = in_force
        elif kind in ENDED:
            state = str(kind)
        else:
            raise StateError(f"unknown ledger entry kind {kind!r}")
    if state is None:
        raise StateError("no ledger entry of the guarantee")
    return state
