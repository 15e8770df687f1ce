"""Which IP addresses the deliverer may connect to: public ones, and ranges an operator allowed.

An endpoint URL is chosen by whoever registers it, so without this check the deliverer is a
request forgery tool aimed at the platform's own network: loopback services, the cloud metadata
service (169.254.169.254, Alibaba Cloud's 100.100.100.200), the databases and NATS on private
addresses. Refused, unless an operator allows the range (``BIANMIN_WEBHOOKS_ALLOWED_NETWORKS``):
every address that is not globally routable (``ipaddress``'s ``is_global``: private, loopback,
link-local, shared 100.64.0.0/10, documentation and benchmark ranges, unspecified, reserved) and
multicast. An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``, Teredo) is judged
by the IPv4 address it carries as well, so no spelling reaches what the plain one may not.

Registration refuses address literals this way (and any numeric host spelling other than a dotted
quad, since ``inet_aton`` reads ``2852039166``, ``0xa9fea9fe`` and ``169.254.43518`` as
169.254.169.254); the real check is at connect time, on each address a name resolves to
(``egress.GuardedBackend``), since DNS answers can change between registration and delivery.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SHARED = ipaddress.ip_network("100.64.0.0/10")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
LOOPBACK_NAMES = ("localhost",)


def judged_forms(address: IPAddress) -> list[IPAddress]:
    """The addresses a connection to ``address`` really reaches, each to be judged.

    IPv4-mapped, IPv4-compatible and NAT64 addresses reach the IPv4 address they carry, so that one
    is judged (the wrapper itself is a reserved IPv6 range and says nothing); 6to4 and Teredo reach
    both a relay and the IPv4 host behind it, so both are judged.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return [address]
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if any(address in network for network in NAT64) or (address in IPV4_COMPATIBLE and int(address) > 1):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    found: list[IPAddress] = [address]
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def _forbidden(address: IPAddress) -> bool:
    return (not address.is_global or address.is_multicast or address.is_private or address.is_loopback
            or address.is_link_local or address.is_reserved or address.is_unspecified
            or (isinstance(address, ipaddress.IPv4Address) and address in SHARED))


def _in(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def allowed_address(address: IPAddress, allowed: Sequence[IPNetwork]) -> bool:
    """Whether the deliverer may connect to ``address``: every form it reaches public, or in a range the operator allowed."""
    return all(_in(form, allowed) or not _forbidden(form) for form in judged_forms(address))


def within(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    """Whether every form ``address`` reaches lies in one of ``networks`` (an explicit allowance, not mere publicness)."""
    return all(_in(form, networks) for form in judged_forms(address))


def all_allowed(addresses: Iterable[IPAddress], allowed: Sequence[IPNetwork]) -> bool:
    """Whether every one of ``addresses`` is allowed (a name with one forbidden answer is refused whole)."""
    found = list(addresses)
    return bool(found) and all(allowed_address(a, allowed) for a in found)


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address ``inet_aton`` reads in ``host`` (``2852039166``, ``0xa9fea9fe``, ``0251.0376.0251.0376``,
    ``169.254.43518``, ``127.1``), as resolvers and HTTP clients read it too; None for a name."""
    if not host or not all(ch.isascii() and (ch.isalnum() or ch == ".") for ch in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def literal(host: str) -> IPAddress | None:
    """The address a URL's host names without DNS: an IP literal, a numeric IPv4 spelling, or ``localhost``."""
    name = host.lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return ipaddress.IPv4Address("127.0.0.1")  # RFC 6761: never sent to DNS, always loopback
    try:
        return ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return numeric_ipv4(name)
