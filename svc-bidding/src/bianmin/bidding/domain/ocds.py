"""Open data: Open Contracting Data Standard 1.1 releases of the district's tenders.

- ``ocid`` = ``<ocds_ocid_prefix>-<project code>``; a release's ``id`` = ``<ocid>-<transition id>``.
- One release per publishing moment of the status history: ``published`` → tag ``tender``;
  ``awarded`` → ``award`` (with ``contract`` for the sections whose contract is recorded, and
  for direct contracts, awarded when a supervisor approves the filing: a filing waiting for approval
  or rejected publishes nothing); ``failed`` → ``tenderUpdate`` (tender status
  ``unsuccessful``); ``cancelled`` → ``tenderCancellation``. A release carries the sections its
  tag concerns: a ``tender`` release has no awards. Releases are built from the stored project
  as it stands, dated at the moment of the transition; drafts are never published.
- procurementMethod: open tenders and auctions ``open``, invited tenders ``selective``, direct
  contracts ``direct`` (``limited`` is not used: the platform files no negotiated procedure).
  mainProcurementCategory: construction ``works``, procurement ``goods``; land use rights and
  state property are sales, published with ``procurementMethodDetails`` naming the auction.
- Tenderers (``tender.tenderers``, ``numberOfTenderers`` and the ``tenderer`` parties) are absent
  from every release until the bid deadline has passed (招标投标法 §22: neither the names nor the
  number of registrants may be disclosed while the tender is open; ``domain.common.bidders_secret``).
- Parties are identified by their Unified Social Credit Code (scheme ``CN-USCC``); a natural person
  buying state property by the pseudonymous bidder code the platform gave them (scheme
  ``X-BIANMIN-PERSON``) and their masked name, never their ID number (``domain/bidders.py``). Amounts are
  JSON numbers in CNY, as the OCDS schema requires (the API elsewhere sends money as strings).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.bidders import is_person_code
from bianmin.bidding.domain.common import bidders_secret
from bianmin.bidding.models import Project, ProjectTransition, Registration
from bianmin.kit.pagination import PageParams, paginate

TAGS = {"published": ["tender"], "awarded": ["award"], "failed": ["tenderUpdate"],
        "cancelled": ["tenderCancellation"]}
PUBLISHING = tuple(TAGS)
METHOD = {"open": "open", "invited": "selective", "direct": "direct"}
CATEGORY = {"construction": "works", "procurement": "goods"}
TENDER_STATUS = {"published": "active", "closed": "active", "opening": "active", "opened": "active",
                 "evaluating": "active", "publicised": "active", "awarded": "complete", "failed": "unsuccessful",
                 "cancelled": "cancelled"}

PERSON_SCHEME = "X-BIANMIN-PERSON"


def _money(amount: Decimal | None) -> dict[str, Any] | None:
    return None if amount is None else {"amount": float(amount), "currency": "CNY"}


def _scheme(code: str) -> str:
    return PERSON_SCHEME if is_person_code(code) else "CN-USCC"


def _party(credit_code: str, name: str, roles: list[str]) -> dict[str, Any]:
    scheme = _scheme(credit_code)
    return {"id": f"{scheme}-{credit_code}", "name": name, "roles": roles,
            "identifier": {"scheme": scheme, "id": credit_code, "legalName": name}}


def release(project: Project, transition: ProjectTransition, *, prefix: str, names: dict[str, str],
            now: datetime) -> dict[str, Any]:
    """The OCDS release of one publishing transition of a project (see the module docstring)."""
    ocid = f"{prefix}-{project.code}"
    tag = list(TAGS.get(transition.to_status, ["tenderUpdate"]))
    buyer = _party(project.tenderer_credit_code, project.tenderer_name, ["buyer", "procuringEntity"])
    secret = bidders_secret(project, now)
    tenderers = [] if secret else sorted(names)
    status = TENDER_STATUS.get(transition.to_status, "active")
    tender: dict[str, Any] = {
        "id": project.code, "title": project.name, "status": status, "value": _money(project.budget),
        "procurementMethod": METHOD.get(project.method, "open"),
        "tenderPeriod": {"startDate": project.created_at.isoformat(), "endDate": project.bid_deadline.isoformat()},
        "awardCriteria": "ratedCriteria" if project.evaluation_method == "comprehensive" else "priceOnly",
        "lots": [{"id": s.code, "title": s.name, "value": _money(s.budget),
                  "status": "cancelled" if s.outcome == "failed" else ("complete" if s.outcome == "awarded" else "active")}
                 for s in project.sections],
    }
    if not secret:
        tender["numberOfTenderers"] = len(tenderers)
        tender["tenderers"] = [{"id": f"{_scheme(c)}-{c}", "name": names[c]} for c in tenderers]
    if project.category in CATEGORY:
        tender["mainProcurementCategory"] = CATEGORY[project.category]
    else:
        tender["procurementMethodDetails"] = "网上竞价 (online ascending auction)"
    parties = [buyer] + [_party(c, names[c], ["tenderer"]) for c in tenderers]
    data: dict[str, Any] = {"ocid": ocid, "id": f"{ocid}-{transition.id}", "date": transition.at.isoformat(),
                            "tag": tag, "initiationType": "tender", "language": "zh",
                            "buyer": {"id": buyer["id"], "name": buyer["name"]}, "tender": tender}
    if transition.to_status == "awarded":
        awards, contracts = [], []
        for s in project.sections:
            if s.outcome != "awarded" or s.winner_credit_code is None:
                continue
            award_id = f"{project.code}-{s.code}"
            winner = {"id": f"{_scheme(s.winner_credit_code)}-{s.winner_credit_code}",
                      "name": names.get(s.winner_credit_code, "")}
            awards.append({"id": award_id, "status": "active", "date": transition.at.isoformat(),
                           "value": _money(s.award_amount), "suppliers": [winner], "relatedLots": [s.code]})
            for party in parties:
                if party["id"] == winner["id"]:
                    party["roles"] = [*party["roles"], "supplier"]
            if winner["id"] not in {p["id"] for p in parties}:
                parties.append(_party(s.winner_credit_code, winner["name"], ["supplier"]))
            if s.contract_signed_at is not None:
                contracts.append({"id": f"{award_id}-C", "awardID": award_id, "status": "active",
                                  "dateSigned": s.contract_signed_at.isoformat(), "value": _money(s.award_amount)})
        data["awards"] = awards
        if contracts:
            data["contracts"] = contracts
            data["tag"] = [*tag, "contract"]
    data["parties"] = parties
    return data


def package(releases: list[dict[str, Any]], *, uri: str, publisher: str, now: datetime) -> dict[str, Any]:
    """An OCDS 1.1 release package around ``releases``."""
    return {"uri": uri, "version": "1.1", "publishedDate": now.isoformat(), "publisher": {"name": publisher},
            "releases": releases}


def record_package(project: Project, transitions: list[ProjectTransition], *, names: dict[str, str], prefix: str,
                   publisher: str, uri: str, now: datetime) -> dict[str, Any]:
    """An OCDS 1.1 record package: every release of the project and the compiled latest state."""
    releases = [release(project, t, prefix=prefix, names=names, now=now) for t in transitions]
    record: dict[str, Any] = {"ocid": f"{prefix}-{project.code}", "releases": releases}
    if releases:
        record["compiledRelease"] = {**releases[-1], "tag": ["compiled"]}
    return {"uri": uri, "version": "1.1", "publishedDate": now.isoformat(), "publisher": {"name": publisher},
            "records": [record]}


async def tenderer_names(session: AsyncSession, project_ids: list[int]) -> dict[int, dict[str, str]]:
    """The registered enterprises' names by credit code, for each project."""
    rows = (await session.execute(select(Registration.project_id, Registration.credit_code, Registration.name)
                                  .where(Registration.project_id.in_(project_ids)))).all()
    out: dict[int, dict[str, str]] = {pid: {} for pid in project_ids}
    for pid, code, name in rows:
        out[pid][code] = name
    return out


async def published_transitions(session: AsyncSession, project: Project) -> list[ProjectTransition]:
    """The project's transitions that publish a release, oldest first."""
    return list((await session.execute(select(ProjectTransition).where(
        ProjectTransition.project_id == project.id, ProjectTransition.to_status.in_(PUBLISHING))
        .order_by(ProjectTransition.id))).scalars())


async def release_page(session: AsyncSession, page: PageParams, *,
                       since: datetime | None) -> tuple[list[tuple[ProjectTransition, Project]], str | None]:
    """One page of the release feed: publishing transitions of every tender dated after ``since``, oldest first."""
    statement = (select(ProjectTransition, Project).join(Project, Project.id == ProjectTransition.project_id)
                 .where(ProjectTransition.to_status.in_(PUBLISHING)))
    if since is not None:
        statement = statement.where(ProjectTransition.at > since)
    rows, cursor = await paginate(session, statement, page, keys=[ProjectTransition.id], scalars=False)
    return [(transition, project) for transition, project in rows], cursor
