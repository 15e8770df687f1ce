"""Where a site sits: the hierarchy that tenancy and roles are checked against, read off the codes.

Site codes follow the national administrative division codes (see :mod:`bianmin.kit.schemas`): the
6-digit county code (GB/T 2260), then 3 digits for a township or street and 3 more for a village or
community (the statistical division code), and a letter-led suffix for a site that is not a
division but hangs under one (a bank outlet ``330199B01``, a terminal ``330199001T01``). A site's
code therefore begins with the code of every site above it, so "is this site under that one" needs
no table: a township's staff reach its villages and its outlets; a village reaches only itself.
``*`` stands for every site of the deployment.
"""

from __future__ import annotations

EVERYWHERE = "*"


def within(site: str | None, area: str | None) -> bool:
    """Whether ``site`` is ``area`` itself or lies under it (``area`` ``*`` holds every site)."""
    if site is None or area is None:
        return False
    if area == EVERYWHERE:
        return True
    if site == EVERYWHERE:
        return False
    return site == area or (site.startswith(area) and _extends(site[len(area):]))


def _extends(suffix: str) -> bool:
    """Whether ``suffix`` is what a site below adds to its parent's code: 3 or 6 digits, or a letter-led part."""
    if suffix.isdigit() and suffix.isascii():
        return len(suffix) in (3, 6)
    if suffix[:1].isalpha() and suffix[:1].isascii():
        return True
    # A village's terminal: 3 digits then a letter-led part.
    return len(suffix) > 3 and suffix[:3].isdigit() and suffix[3:4].isalpha()
