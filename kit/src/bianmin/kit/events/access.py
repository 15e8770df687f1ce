"""Who may do what on NATS: one NKEY user per service, with permissions derived from the contracts.

Without this, anyone who reached NATS could publish an event that the services apply (issue 17,
finding 3: a forged ``guarantee.guarantee.issued`` listed a non-existent guarantee as a secured
deposit). So nats-server admits only the users named here, each by the public half of its NKEY
(the seed, the secret half, never leaves the service), and each user may:

- publish the subjects its service declares in ``PUBLISHES`` (exactly those, no wildcard), and
  dead-letter what it consumes to ``dlq.<service>.<stream>``;
- call the JetStream API on its own stream and the dead-letter stream (look up, create), and on each
  stream it consumes only look it up and create, look up and pull from its own durable consumer
  (``<service>__<stream>``), and acknowledge that consumer's messages;
- subscribe to its own inbox prefix ``_INBOX_<service>`` alone, where JetStream's replies and the
  pulled messages arrive; so no service reads another's events except through its own durable, nor
  another's replies.

Nothing else: no stream deletion or purge, no stream of its own invention, no consumer on a stream it
does not declare. The ``ops`` user has every permission; it is the operator's (the ``nats`` command
line, inspecting the dead-letter stream) and the tests', and no service holds its seed.

:func:`authorization_config` renders the ``authorization`` block of nats-server's configuration; the
same function serves ``make run``, the tests' private platform and the deployment files (whose
public keys come from the environment, as ``$NKEY_<USER>``), and a test keeps the latter equal to it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import nkeys

from bianmin.contracts.registry import DLQ_STREAM, SERVICES, consumed_by, dead_letter_subject, durable_name, published_by

OPS_USER = "ops"
NATS_USERS: tuple[str, ...] = (*SERVICES, OPS_USER)
API = "$JS.API"


@dataclass(frozen=True)
class Permissions:
    """The subjects a user may publish to and subscribe to."""

    publish: tuple[str, ...]
    subscribe: tuple[str, ...]


def inbox_prefix(user: str) -> str:
    """The inbox prefix of a user's connection: its replies and pulled messages arrive under it alone."""
    return f"_INBOX_{user}"


def consumed_streams(service: str) -> list[str]:
    """The streams a service reads, from the subjects it declares in ``CONSUMES``."""
    return sorted({spec.subject.split(".", 1)[0].upper() for spec in consumed_by(service)})


def service_permissions(service: str) -> Permissions:
    """What one service's NATS user may do, derived from its contracts."""
    own = service.upper()
    publish = sorted({spec.subject for spec in published_by(service)})
    api = [f"{API}.STREAM.INFO.{own}", f"{API}.STREAM.CREATE.{own}",
           f"{API}.STREAM.INFO.{DLQ_STREAM}", f"{API}.STREAM.CREATE.{DLQ_STREAM}"]
    for stream in consumed_streams(service):
        durable = durable_name(service, stream)
        publish.append(dead_letter_subject(service, stream))
        api += [
            f"{API}.STREAM.INFO.{stream}",
            # nats-py creates a durable by one of these, depending on the server's version and the config.
            f"{API}.CONSUMER.CREATE.{stream}.{durable}", f"{API}.CONSUMER.CREATE.{stream}.{durable}.>",
            f"{API}.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
            f"{API}.CONSUMER.INFO.{stream}.{durable}", f"{API}.CONSUMER.MSG.NEXT.{stream}.{durable}",
            f"$JS.ACK.{stream}.{durable}.>",
        ]
    return Permissions(publish=tuple(publish + api), subscribe=(f"{inbox_prefix(service)}.>",))


def new_seed() -> str:
    """A fresh user NKEY seed (``SU...``): the secret a service authenticates with."""
    return nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER).decode()


def public_key(seed: str) -> str:
    """The public key (``U...``) of a user seed: what nats-server's configuration names."""
    pair = nkeys.from_seed(bytearray(seed.strip().encode()))
    try:
        return pair.public_key.decode()
    finally:
        pair.wipe()


def check_seed(seed: str, name: str) -> None:
    """Refuse (RuntimeError naming ``name``) a value that is not a user NKEY seed, such as a placeholder."""
    try:
        valid = public_key(seed).startswith("U")
    except Exception:
        valid = False
    if not valid:
        raise RuntimeError(f"{name} is not a NATS user NKEY seed (SU...); generate one with "
                           "`python -m bianmin.kit.events.access env`")


def _allow(kind: str, subjects: tuple[str, ...]) -> list[str]:
    """One subject a line, so that a change of the contracts reads as a change of lines in the deployment files."""
    return [f"        {kind}: {{allow: [", *(f'          "{s}"' for s in subjects), "        ]}"]


def authorization_config(public_keys: Mapping[str, str]) -> str:
    """The ``authorization`` block admitting ``public_keys`` (user → ``U...`` key or ``$VARIABLE``) and nobody else."""
    unknown = sorted(set(public_keys) - set(NATS_USERS))
    if unknown:
        raise ValueError(f"no such NATS user: {', '.join(unknown)}")
    lines = ["# Generated from the contracts by bianmin.kit.events.access.authorization_config: edit the",
             "# contracts (PUBLISHES, CONSUMES), not this block. Only these users connect; there is no",
             "# anonymous user.",
             "authorization {", "  users = ["]
    for user in NATS_USERS:
        if user not in public_keys:
            continue
        lines += [f"    # {user}", "    {", f"      nkey: {public_keys[user]}"]
        if user != OPS_USER:
            permissions = service_permissions(user)
            lines += ["      permissions: {", *_allow("publish", permissions.publish),
                      *_allow("subscribe", permissions.subscribe), "      }"]
        lines.append("    }")
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def environment_reference(user: str) -> str:
    """The variable that holds a user's public key in the deployment files' nats-server configuration."""
    return f"$NKEY_{user.upper()}"


def seed_variable(user: str) -> str:
    """The variable that holds a user's seed: a service's setting, or the operator's own for ``ops``."""
    return f"BIANMIN_{user.upper()}_NATS_NKEY_SEED" if user != OPS_USER else "BIANMIN_NATS_OPS_NKEY_SEED"


def credentials_env() -> str:
    """Fresh credentials for every user as environment lines: each seed beside the public key nats-server reads."""
    lines = []
    for user in NATS_USERS:
        seed = new_seed()
        # The operator's seed is no container's: printed as a comment, to be kept elsewhere.
        lines += [f"{'# keep out of deploy/.env: ' if user == OPS_USER else ''}{seed_variable(user)}={seed}",
                  f"{environment_reference(user)[1:]}={public_key(seed)}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """``python -m bianmin.kit.events.access env``: new NKEYs for every user, as lines for ``deploy/.env``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bianmin.kit.events.access",
                                     description="NKEYs for the platform's NATS users.")
    parser.add_argument("command", choices=["env"], help="print a new seed and public key for every user")
    parser.parse_args(argv)
    print(credentials_env(), end="")


if __name__ == "__main__":
    main()
