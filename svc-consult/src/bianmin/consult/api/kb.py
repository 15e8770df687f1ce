"""The knowledge base: public reading and search-as-you-type, staff editing, and promotion of answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.consult.api import views
from bianmin.consult.api.deps import ANYONE, IdPath, StaffDep
from bianmin.consult.domain import consultations, kb
from bianmin.consult.domain.access import Staff, staff_of
from bianmin.consult.schemas import ArticleCreate, ArticleRead, ArticleUpdate, PromoteBody, SuggestHit
from bianmin.consult.schemas.common import DEPARTMENT_PATTERN
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, public
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["knowledge base"])


def optional_staff(principal: Principal) -> Staff | None:
    """The caller as staff when it holds a consult staff scope, else None (the public)."""
    if principal.has_scope("consult:answer") or principal.has_scope("consult:admin"):
        return staff_of(principal)
    return None


@router.get("/kb/suggest", summary="Answers as the asker types", dependencies=[ANYONE], **public(), responses=problem_responses(422))
async def suggest(session: ReadSessionDep, q: Annotated[str, Query(min_length=1, max_length=100)],
                  limit: Annotated[int, Query(ge=1, le=20)] = 8) -> list[SuggestHit]:
    """Published answers that match the words typed so far (one character is enough)."""
    return views.suggest_hits(await kb.suggest(session, q, limit=limit))


@router.get("/kb/articles", summary="Knowledge-base articles", dependencies=[ANYONE], **public(), responses=problem_responses(422))
async def list_articles(session: ReadSessionDep, who: PrincipalDep, page: PageDep,
                        status: Annotated[str | None, Query(pattern="^(draft|published|archived)$")] = None,
                        department: Annotated[str | None, Query(pattern=DEPARTMENT_PATTERN)] = None) -> Page[ArticleRead]:
    """Published articles for everyone; staff also see their department's drafts and archive."""
    rows, cursor = await kb.list_articles(session, page, staff=optional_staff(who), status=status,
                                          department=department)
    return Page[ArticleRead](items=[ArticleRead.model_validate(a) for a in rows], next_cursor=cursor)


@router.get("/kb/articles/{article_id}", summary="One article", dependencies=[ANYONE], **public(), responses=problem_responses(404))
async def get_article(article_id: IdPath, session: ReadSessionDep, who: PrincipalDep) -> ArticleRead:
    """A published article, or a draft for the staff who may edit it."""
    return ArticleRead.model_validate(await kb.get_article(session, article_id, staff=optional_staff(who)))


@router.post("/kb/articles", status_code=201, summary="Write an article",
             responses=problem_responses(401, 403, 422))
async def create_article(body: ArticleCreate, session: SessionDep, staff: StaffDep, idem: IdempotencyDep,
                         clock: ClockDep) -> ArticleRead:
    """Start a draft for the caller's department."""
    article = await kb.create_article(session, title=body.title, body=body.body, department_code=body.department_code,
                                      item_code=body.item_code, staff=staff, now=clock.now())
    return await idem.finish(session, ArticleRead.model_validate(article))


@router.patch("/kb/articles/{article_id}", summary="Edit an article",
              responses=problem_responses(401, 403, 404, 409, 422))
async def update_article(article_id: IdPath, body: ArticleUpdate, session: SessionDep, staff: StaffDep,
                         clock: ClockDep) -> ArticleRead:
    """Change an article's title, body or item."""
    changes = body.model_dump(exclude_unset=True)
    for name in ("title", "body"):
        if name in changes and changes[name] is None:
            raise Unprocessable.field(name, "may not be null")
    article = await kb.update_article(session, await kb.get_editable(session, article_id, staff=staff),
                                      changes=changes, now=clock.now())
    await session.commit()
    return ArticleRead.model_validate(article)


@router.post("/kb/articles/{article_id}/publish", summary="Publish an article",
             responses=problem_responses(401, 403, 404, 409))
async def publish_article(article_id: IdPath, session: SessionDep, staff: StaffDep, clock: ClockDep) -> ArticleRead:
    """Publish (redacted and indexed for search)."""
    article = await kb.publish(session, await kb.get_editable(session, article_id, staff=staff), now=clock.now())
    await session.commit()
    return ArticleRead.model_validate(article)


@router.post("/kb/articles/{article_id}/archive", summary="Archive an article",
             responses=problem_responses(401, 403, 404, 409))
async def archive_article(article_id: IdPath, session: SessionDep, staff: StaffDep, clock: ClockDep) -> ArticleRead:
    """Withdraw an article from the public and from search."""
    article = await kb.archive(session, await kb.get_editable(session, article_id, staff=staff), now=clock.now())
    await session.commit()
    return ArticleRead.model_validate(article)


@router.post("/consultations/{consultation_id}/promote", status_code=201, summary="Promote to the knowledge base",
             responses=problem_responses(401, 403, 404, 409, 422))
async def promote(consultation_id: IdPath, body: PromoteBody, session: SessionDep, staff: StaffDep,
                  idem: IdempotencyDep, clock: ClockDep) -> ArticleRead:
    """Make a redacted draft article of an answered question whose asker consented to publication."""
    consultation = await consultations.get_for_staff(session, consultation_id, staff, for_update=True)
    article = await kb.promote(session, consultation, title=body.title, now=clock.now())
    return await idem.finish(session, ArticleRead.model_validate(article))
