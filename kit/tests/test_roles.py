"""The role table: every role names a subject kind, and the roles that approve, confirm, decrypt or score need a second factor."""

from __future__ import annotations

from bianmin.kit.roles import ROLES, needs_second_factor, scopes_of
from bianmin.kit.subjects import SUBJECT_KINDS


def test_every_role_is_held_by_a_known_kind_and_grants_some_scope() -> None:
    for name, info in ROLES.items():
        assert info.kind in SUBJECT_KINDS, name
        assert info.scopes, name


def test_roles_that_approve_confirm_decrypt_or_score_need_a_second_factor() -> None:
    for name in ("approver", "credit_reviewer", "trading_officer", "expert", "custodian", "operator"):
        assert needs_second_factor([name]), name
    assert not needs_second_factor(["clerk", "acceptor"])


def test_the_pages_ask_for_the_union_of_the_roles_scopes_and_nothing_for_an_unknown_role() -> None:
    assert scopes_of(["clerk", "acceptor"]) == {"queue:read", "queue:write", "queue:serve", "catalog:read", "catalog:write"}
    assert scopes_of(["no-such-role"]) == frozenset()
