"""Checks of an HTML page that must work on a network reaching nothing outside the platform."""

from __future__ import annotations

from html.parser import HTMLParser


class _References(HTMLParser):
    """Every URL an HTML page loads or links to, and the bodies of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "action", "data", "poster"):
            if values.get(name):
                self.urls.append(values[name] or "")
        self._in_inline_script = tag == "script" and not values.get("src") and values.get("type") in (
            None, "", "text/javascript", "module", "application/javascript")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.inline_scripts.append(data)


def page_references(html: str) -> tuple[list[str], list[str]]:
    """The URLs a page loads or links to, and its inline scripts' bodies."""
    parser = _References()
    parser.feed(html)
    return parser.urls, parser.inline_scripts


def external_references(html: str) -> list[str]:
    """The URLs of a page that leave its own origin (absolute, scheme-relative or with a scheme)."""
    urls, _ = page_references(html)
    return [url for url in urls if not url.startswith("/") or url.startswith("//")]


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives
