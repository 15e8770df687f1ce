"""The knowledge base: articles (draft → published → archived) and Chinese search without extensions.

Search uses an n-gram index kept in an ordinary table (``article_gram``), the same on SQLite and
PostgreSQL: every published article contributes its unigrams and bigrams, with title grams weighing
three times body grams. Text is NFKC-normalised and lower-cased; grams never span punctuation or
spaces. A one-character query looks up unigrams; a longer query looks up its bigrams (and the
unigrams of any single-character run), and an article must match at least half of them. Results
rank by the number of distinct query grams matched, then by weight.

Promotion: an answered question whose asker consented becomes a draft article, redacted
(:mod:`bianmin.consult.domain.redact`); publishing redacts it once more with the asker's name, so
personal data an editor typed in later does not get out either.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain.access import Staff
from bianmin.consult.domain.errors import (
    AlreadyPromoted,
    ArticleAlreadyArchived,
    ArticleAlreadyPublished,
    ArticleArchived,
    DepartmentMismatch,
    NoConsent,
    NotAnswered,
)
from bianmin.consult.domain.redact import redact
from bianmin.consult.models import Article, ArticleGram, Consultation
from bianmin.kit.errors import NotFound, Unprocessable
from bianmin.kit.pagination import PageParams, paginate

TITLE_WEIGHT = 3


def runs(text: str) -> list[str]:
    """The runs of letters, digits and CJK characters in normalised, lower-cased text."""
    normal = unicodedata.normalize("NFKC", text).lower()
    found: list[str] = []
    current: list[str] = []
    for char in normal:
        if char.isalnum():
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def grams(text: str) -> Counter[str]:
    """Unigram and bigram counts of a text."""
    counts: Counter[str] = Counter()
    for run in runs(text):
        counts.update(run)
        counts.update(run[i:i + 2] for i in range(len(run) - 1))
    return counts


def query_grams(query: str) -> list[str]:
    """The grams a query looks up: unigrams of one-character runs, bigrams of longer ones."""
    wanted: list[str] = []
    for run in runs(query):
        wanted.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    return sorted(set(wanted))


async def reindex(session: AsyncSession, article: Article) -> None:
    """Rebuild an article's grams; only published articles are in the index."""
    await session.execute(delete(ArticleGram).where(ArticleGram.article_id == article.id))
    if article.status != "published":
        return
    counts = Counter({g: n * TITLE_WEIGHT for g, n in grams(article.title).items()})
    counts.update(grams(article.body))
    if counts:
        await session.execute(insert(ArticleGram), [
            {"article_id": article.id, "gram": gram, "weight": weight} for gram, weight in counts.items()])


async def suggest(session: AsyncSession, query: str, *, limit: int) -> list[tuple[Article, int, int]]:
    """Published articles matching ``query``, best first, with (matched grams, score)."""
    wanted = query_grams(query)
    if not wanted:
        raise Unprocessable.field("q", "must contain at least one letter, digit or Chinese character")
    needed = max(1, (len(wanted) + 1) // 2)
    matched = func.count(ArticleGram.gram).label("matched")
    score = func.sum(ArticleGram.weight).label("score")
    hits = (select(ArticleGram.article_id, matched, score).where(ArticleGram.gram.in_(wanted))
            .group_by(ArticleGram.article_id).having(func.count(ArticleGram.gram) >= needed).subquery())
    query_ = (select(Article, hits.c.matched, hits.c.score).join(hits, hits.c.article_id == Article.id)
              .where(Article.status == "published")
              .order_by(hits.c.matched.desc(), hits.c.score.desc(), Article.published_at.desc(), Article.id)
              .limit(limit))
    return [(row[0], int(row[1]), int(row[2])) for row in (await session.execute(query_)).all()]


def can_edit(staff: Staff, article: Article) -> bool:
    """Administrators edit every article; department staff their department's."""
    return staff.admin or (article.department_code is not None and article.department_code in staff.departments)


async def get_article(session: AsyncSession, article_id: str, *, staff: Staff | None) -> Article:
    """An article: published ones for anyone, others only for staff who may edit them; 404 otherwise."""
    article = await session.get(Article, article_id)
    if article is None or (article.status != "published" and (staff is None or not can_edit(staff, article))):
        raise NotFound(f"No article {article_id}.")
    return article


async def get_editable(session: AsyncSession, article_id: str, *, staff: Staff) -> Article:
    """An article this staff member may change; 404 when they may not see it, 403 when it is another department's."""
    article = await get_article(session, article_id, staff=staff)
    if not can_edit(staff, article):
        raise DepartmentMismatch("This article belongs to another department.")
    return article


async def create_article(session: AsyncSession, *, title: str, body: str, department_code: str | None,
                         item_code: str | None, staff: Staff, now: datetime) -> Article:
    """A new draft; department staff write for their own department."""
    if not staff.admin and (department_code is None or department_code not in staff.departments):
        raise DepartmentMismatch("Department staff write articles for their own department.")
    article = Article(title=title, body=body, department_code=department_code, item_code=item_code,
                      status="draft", created_at=now, updated_at=now)
    session.add(article)
    await session.flush()
    return article


async def _source_names(session: AsyncSession, article: Article) -> list[str]:
    if article.source_consultation_id is None:
        return []
    source = await session.get(Consultation, article.source_consultation_id)
    return [source.contact_name] if source is not None else []


async def update_article(session: AsyncSession, article: Article, *, changes: dict[str, object],
                         now: datetime) -> Article:
    """Change a draft or published article; a published one is redacted and reindexed."""
    if article.status == "archived":
        raise ArticleArchived("An archived article cannot be edited; publish it again first.")
    for name, value in changes.items():
        setattr(article, name, value)
    article.updated_at = now
    if article.status == "published":
        names = await _source_names(session, article)
        article.title, article.body = redact(article.title, names=names), redact(article.body, names=names)
        await reindex(session, article)
    await session.flush()
    return article


async def publish(session: AsyncSession, article: Article, *, now: datetime) -> Article:
    """Publish a draft or archived article."""
    if article.status == "published":
        raise ArticleAlreadyPublished("The article is already published.")
    names = await _source_names(session, article)
    article.title, article.body = redact(article.title, names=names), redact(article.body, names=names)
    article.status, article.published_at, article.updated_at = "published", now, now
    await reindex(session, article)
    await session.flush()
    return article


async def archive(session: AsyncSession, article: Article, *, now: datetime) -> Article:
    """Archive an article; it leaves the public list and the search index."""
    if article.status == "archived":
        raise ArticleAlreadyArchived("The article is already archived.")
    article.status, article.updated_at = "archived", now
    await reindex(session, article)
    await session.flush()
    return article


async def promote(session: AsyncSession, consultation: Consultation, *, title: str | None, now: datetime) -> Article:
    """Turn an answered, consented question into a redacted draft article."""
    if consultation.status not in ("answered", "closed") or consultation.answer is None:
        raise NotAnswered("Only an answered consultation can be promoted.")
    if not consultation.consent_publish:
        raise NoConsent("The asker did not consent to publication.")
    if consultation.article_id is not None:
        raise AlreadyPromoted("This consultation was promoted already.")
    names = [consultation.contact_name]
    article = Article(
        title=redact(title or consultation.title, names=names),
        body=f"问：{redact(consultation.body, names=names)}\n\n答：{redact(consultation.answer, names=names)}",
        department_code=consultation.department_code, item_code=consultation.item_code, status="draft",
        source_consultation_id=consultation.id, created_at=now, updated_at=now)
    session.add(article)
    await session.flush()
    consultation.article_id = article.id
    await session.flush()
    return article


async def list_articles(session: AsyncSession, page: PageParams, *, staff: Staff | None, status: str | None,
                        department: str | None) -> tuple[list[Article], str | None]:
    """One page of the articles visible to the caller, newest change first, and the next page's cursor."""
    query = select(Article)
    if staff is None:
        query = query.where(Article.status == "published")
    elif not staff.admin:
        query = query.where((Article.status == "published")
                            | Article.department_code.in_(sorted(staff.departments)))
    if status:
        query = query.where(Article.status == status)
    if department:
        query = query.where(Article.department_code == department)
    return await paginate(session, query, page, keys=[Article.updated_at, Article.id], descending=True)
