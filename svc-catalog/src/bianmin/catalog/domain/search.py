"""Chinese search over service items with no database extension: an n-gram index kept on write.

Each item's searchable text (name, aliases, department name, keywords) is cut into grams: every
CJK character (unigram) and every pair of adjacent CJK characters (bigram), plus each ASCII word or
number lower-cased. ``search_gram`` holds one row per (gram, item) with the weight of the best field
the gram occurs in (name > alias > keyword > department) and bigrams counting double, since a
bigram is far more specific than a single character.

A query is cut the same way, except that a query of two or more CJK characters uses its bigrams
only (a one-character query uses its unigram). SQL finds the items that match at least half of the
query's grams, ranked by matched grams and summed weight; the best candidates are then re-ranked in
Python with boosts for an exact name (or alias) and a name prefix or containment. The same plain
SQL (``IN``, ``GROUP BY``, ``SUM``) runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.models import Item, SearchGram

FIELD_WEIGHTS = {"name": 8, "alias": 5, "keyword": 3, "department": 2}
BIGRAM_FACTOR = 2
CANDIDATES = 300
MAX_QUERY_GRAMS = 24
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z0-9]+")


def _is_cjk(text: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", text))


def grams(text: str) -> set[str]:
    """Every unigram and bigram of the CJK runs of ``text`` and each ASCII word, lower-cased."""
    found: set[str] = set()
    for run in _RUN.findall(text):
        if _is_cjk(run):
            found.update(run)
            found.update(run[i:i + 2] for i in range(len(run) - 1))
        else:
            found.add(run.lower()[:40])
    return found


def query_grams(query: str) -> list[str]:
    """The grams a query is matched with: bigrams for CJK runs of two or more characters."""
    found: list[str] = []
    for run in _RUN.findall(query):
        parts = [run.lower()[:40]]
        if _is_cjk(run):
            parts = [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
        found.extend(p for p in parts if p not in found)
    return found[:MAX_QUERY_GRAMS]


def weighted_grams(*, name: str, aliases: Iterable[str], keywords: Iterable[str], department: str) -> dict[str, int]:
    """Each gram of an item's fields with the weight of the best field it occurs in."""
    fields = [("name", [name]), ("alias", list(aliases)), ("keyword", list(keywords)), ("department", [department])]
    weights: dict[str, int] = {}
    for field, texts in fields:
        for text in texts:
            for gram in grams(text):
                weight = FIELD_WEIGHTS[field] * (BIGRAM_FACTOR if len(gram) == 2 and _is_cjk(gram) else 1)
                weights[gram] = max(weights.get(gram, 0), weight)
    return weights


async def index_item(session: AsyncSession, item: Item, department_name: str, *, fresh: bool = False) -> None:
    """Replace an item's rows in the n-gram index (on every write of its searched fields; ``fresh``: a new item)."""
    if not fresh:
        await session.execute(delete(SearchGram).where(SearchGram.item_id == item.id))
    weights = weighted_grams(name=item.name, aliases=item.aliases, keywords=item.keywords,
                             department=department_name)
    if weights:
        await session.execute(insert(SearchGram), [{"gram": g, "item_id": item.id, "weight": w}
                                                   for g, w in weights.items()])


@dataclass(frozen=True)
class Hit:
    """One ranked search result: the item id and its score."""

    item_id: int
    score: float


def boost(query: str, name: str, aliases: list[str]) -> float:
    """Extra score for an exact name or alias, a name that starts with or contains the query."""
    q = query.strip().lower()
    name = name.lower()
    aliases = [a.lower() for a in aliases]
    if name == q:
        return 1000.0
    extra = 300.0 if q in aliases else 0.0
    if name.startswith(q):
        extra += 200.0
    elif q in name:
        extra += 100.0
    elif any(q in a for a in aliases):
        extra += 50.0
    return extra


async def search(session: AsyncSession, query: str, filtered: Select[tuple[int]]) -> list[Hit]:
    """Items matching ``query`` among the ids ``filtered`` selects, best first."""
    wanted = query_grams(query)
    if not wanted:
        return []
    needed = max(1, math.ceil(len(wanted) / 2))
    # Aggregate the postings of the query's grams first, then filter: driven by the gram index, the
    # grouping touches only matching rows (filtering inside would let SQLite scan by item instead).
    postings = (select(SearchGram.item_id, func.count(SearchGram.gram).label("matched"),
                       func.sum(SearchGram.weight).label("total"))
                .where(SearchGram.gram.in_(wanted)).group_by(SearchGram.item_id)
                .having(func.count(SearchGram.gram) >= needed).subquery())
    rows = (await session.execute(
        select(postings.c.item_id, postings.c.matched, postings.c.total)
        .where(postings.c.item_id.in_(filtered))
        .order_by(postings.c.matched.desc(), postings.c.total.desc(), postings.c.item_id)
        .limit(CANDIDATES)
    )).all()
    if not rows:
        return []
    names = {row.id: (row.name, row.aliases) for row in (await session.execute(
        select(Item.id, Item.name, Item.aliases).where(Item.id.in_([r.item_id for r in rows])))).all()}
    hits = [Hit(r.item_id, r.matched * 100.0 / len(wanted) + float(r.total) + boost(query, *names[r.item_id]))
            for r in rows]
    hits.sort(key=lambda h: (-h.score, h.item_id))
    return hits
