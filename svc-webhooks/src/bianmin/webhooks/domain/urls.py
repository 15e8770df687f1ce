"""What an endpoint URL may be: HTTPS, or plain HTTP to this machine's loopback for development.

Refused as well: credentials in the URL (they would be stored in clear and logged), fragments
(never sent), anything without a host, and addresses no receiver can have: link-local ones
(169.254.0.0/16 holds cloud metadata services, which a registered URL must never be able to
reach), multicast, unspecified and reserved ones. Private addresses over HTTPS are accepted (a
township's system often sits on the e-government extranet's private addressing); which networks
the deliverer may reach beyond that, and names that resolve to such addresses, are an egress
policy of the deployment, not of this check.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_URL_LENGTH = 2000


def url_problem(url: str) -> str | None:
    """Why a URL cannot be an endpoint, or None when it can."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("https", "http"):
        return "must be an https URL"
    if not host:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials; authenticate receivers by the signature"
    if parts.fragment:
        return "must not carry a fragment"
    if parts.scheme == "http" and host.lower() not in LOOPBACK_HOSTS:
        return "must use https unless the host is 127.0.0.1, ::1 or localhost"
    if _unreachable_address(host):
        return "must not be a link-local, multicast, unspecified or reserved address"
    return None


def _unreachable_address(host: str) -> bool:
    """Whether ``host`` is an IP literal that no receiver can legitimately have."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.is_loopback:
        return False
    return address.is_link_local or address.is_multicast or address.is_unspecified or address.is_reserved
