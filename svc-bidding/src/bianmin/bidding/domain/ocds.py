"""Open data: Open Contracting Data Standard 1.1 releases of the district's tenders.

- ``ocid`` = ``<ocds_ocid_prefix>-<project code>``; a release's ``id`` = ``<ocid>-<stored release id>``.
- A release is written once, when its event happens, and never rebuilt (:func:`record`): it states
  what was known at that moment and is dated then. The events that publish one, with their tags:
  publication ``tender``; the bid deadline (closing) ``tenderUpdate``, the first release allowed to
  name and count the tenderers; a failed tender ``tenderUpdate`` (status ``unsuccessful``); a
  cancellation ``tenderCancellation`` (of a published tender only: drafts are never published); the
  award ``award``; the award passing to the next candidate (实施条例 §55) ``awardUpdate``; a signed
  contract ``contract``; an approved direct contract ``award`` + ``contract`` (a filing waiting for
  approval, or rejected, publishes nothing). Each release carries the whole process as it stood.
- ``compiledRelease`` is compiled by the OCDS merge rules (:func:`merge`), not copied from the last one.
- Sections are published as ``tender.lots`` with ``awards[].relatedLots``: fields of the lots
  extension, which every package therefore declares in ``extensions`` (:data:`LOTS_EXTENSION`, pinned
  to the version the schema test merges).
- procurementMethod: open tenders and auctions ``open``, invited tenders ``selective``, direct
  contracts ``direct`` (``limited`` is not used: the platform files no negotiated procedure).
  mainProcurementCategory: construction ``works``, procurement ``goods``.
- Land use rights and state property are sales (土地使用权出让, 国有产权转让): the government receives
  the price, so neither side fits ``buyer``/``supplier`` ("the organization aiming to conclude a
  contract with a supplier" / "with which a buyer decided to conclude a contract"). The partyRole
  codelist's money roles do fit: the selling body manages the sale (``procuringEntity``, given in
  ``tender.procuringEntity``, no ``buyer``) and receives the price (``payee``); the bidders are
  ``tenderer``s and the purchaser (竞得人) is the ``payer``. A sale's award therefore lists no
  ``suppliers``: its ``description`` names the purchaser, and its value is the price the purchaser
  pays. ``procurementMethodDetails`` names the auction.
- Tenderers (``tender.tenderers``, ``numberOfTenderers`` and the ``tenderer`` parties) are absent
  from every release dated before the bid deadline (招标投标法 §22: neither the names nor the number
  of registrants may be disclosed while the tender is open; ``domain.common.bidders_secret``), and a
  release frozen then stays so.
- Parties are identified by their Unified Social Credit Code (scheme ``CN-USCC``); a natural person
  buying state property by the pseudonymous bidder code the platform gave them (scheme
  ``X-BIANMIN-PERSON``) and their masked name, never their ID number (``domain/bidders.py``). Amounts are
  JSON numbers in CNY, as the OCDS schema requires (the API elsewhere sends money as strings).
"""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.bidders import is_person_code
from bianmin.bidding.domain.common import bidders_secret
from bianmin.bidding.models import OcdsRelease, Project, Registration
from bianmin.kit.pagination import PageParams, paginate

LOTS_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
                  "574eec032d7396a55cfcfd89080c2754f1c1b378/extension.json")
"""The lots extension (``tender.lots``, ``awards[].relatedLots``), pinned to the commit whose schema the tests merge."""
METHOD = {"open": "open", "invited": "selective", "direct": "direct"}
CATEGORY = {"construction": "works", "procurement": "goods"}
SALES = frozenset({"land_use", "state_property"})
TENDER_STATUS = {"published": "active", "closed": "active", "opening": "active", "opened": "active",
                 "evaluating": "active", "publicised": "active", "awarded": "complete", "failed": "unsuccessful",
                 "cancelled": "cancelled"}
OMIT_WHEN_MERGED = frozenset({"id", "date", "tag", "publisher", "links"})
"""Release fields that describe the release itself, not the process (``omitWhenMerged`` in the schema)."""

PERSON_SCHEME = "X-BIANMIN-PERSON"


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": float(amount), "currency": "CNY"}


def _scheme(code: str) -> str:
    return PERSON_SCHEME if is_person_code(code) else "CN-USCC"


def _id(code: str) -> str:
    """A party's OCDS id: its identifier's scheme and id."""
    return f"{_scheme(code)}-{code}"


def _ref(credit_code: str, name: str) -> dict[str, Any]:
    return {"id": _id(credit_code), "name": name}


def _party(credit_code: str, name: str, roles: list[str]) -> dict[str, Any]:
    return {**_ref(credit_code, name), "roles": roles,
            "identifier": {"scheme": _scheme(credit_code), "id": credit_code, "legalName": name}}


def _lot_status(project: Project, outcome: str) -> str:
    if project.status == "cancelled":
        return "cancelled"
    return {"failed": "unsuccessful", "awarded": "complete"}.get(outcome, "active")


def build(project: Project, *, tag: list[str], at: datetime, names: dict[str, str]) -> dict[str, Any]:
    """The release of ``project`` as it stands at ``at``, without ``ocid`` and ``id`` (see the module docstring).

    ``names`` are the registered enterprises' names by credit code; none is published before the deadline.
    """
    sale = project.category in SALES
    direct = project.method == "direct"
    seller_or_buyer = _party(project.tenderer_credit_code, project.tenderer_name,
                             ["procuringEntity", "payee"] if sale else ["buyer", "procuringEntity"])
    tenderers = [] if direct or bidders_secret(project, at) else sorted(names)
    tender: dict[str, Any] = {
        "id": project.code, "title": project.name, "status": TENDER_STATUS.get(project.status, "active"),
        "value": _money(project.budget), "procurementMethod": METHOD.get(project.method, "open"),
        "tenderPeriod": {"startDate": project.created_at.isoformat(), "endDate": project.bid_deadline.isoformat()},
        "awardCriteria": "ratedCriteria" if project.evaluation_method == "comprehensive" else "priceOnly",
        "lots": [{"id": s.code, "title": s.name, "value": _money(s.budget), "status": _lot_status(project, s.outcome)}
                 for s in project.sections],
    }
    if not direct and not bidders_secret(project, at):
        tender["numberOfTenderers"] = len(tenderers)
        tender["tenderers"] = [_ref(c, names[c]) for c in tenderers]
    if sale:
        tender["procuringEntity"] = _ref(project.tenderer_credit_code, project.tenderer_name)
        tender["procurementMethodDetails"] = "网上竞价 (online ascending auction)"
    elif project.category in CATEGORY:
        tender["mainProcurementCategory"] = CATEGORY[project.category]
    parties = [seller_or_buyer] + [_party(c, names[c], ["tenderer"]) for c in tenderers]
    data: dict[str, Any] = {"date": at.isoformat(), "tag": list(tag), "initiationType": "tender", "language": "zh"}
    if not sale:
        data["buyer"] = _ref(project.tenderer_credit_code, project.tenderer_name)
    data["tender"] = tender
    awards, contracts = [], []
    for s in project.sections:
        if s.outcome != "awarded" or s.winner_credit_code is None or s.award_amount is None:
            continue
        award_id = f"{project.code}-{s.code}"
        name = (project.contractor_name if direct else names.get(s.winner_credit_code)) or s.winner_credit_code
        award: dict[str, Any] = {"id": award_id, "status": "active",
                                 "date": (project.awarded_at or at).isoformat(),
                                 "value": _money(s.award_amount), "relatedLots": [s.code]}
        role = "payer" if sale else "supplier"
        if sale:
            award["description"] = f"竞得人 (purchaser, payer of the price): {name} ({_id(s.winner_credit_code)})"
        else:
            award["suppliers"] = [_ref(s.winner_credit_code, name)]
        awards.append(award)
        party = next((p for p in parties if p["id"] == _id(s.winner_credit_code)), None)
        if party is None:
            parties.append(_party(s.winner_credit_code, name, [role]))
        elif role not in party["roles"]:
            party["roles"] = [*party["roles"], role]
        if s.contract_signed_at is not None:
            contracts.append({"id": f"{award_id}-C", "awardID": award_id, "status": "active",
                              "dateSigned": s.contract_signed_at.isoformat(), "value": _money(s.award_amount)})
    if awards:
        data["awards"] = awards
    if contracts:
        data["contracts"] = contracts
    data["parties"] = parties
    return data


async def record(session: AsyncSession, project: Project, *, tag: list[str], at: datetime) -> OcdsRelease:
    """Freeze and store the release of an event of ``project`` happening at ``at``; it is never rewritten."""
    names = (await tenderer_names(session, [project.id]))[project.id]
    row = OcdsRelease(project_id=project.id, at=at, data=build(project, tag=tag, at=at, names=names))
    session.add(row)
    await session.flush()
    return row


def served(row: OcdsRelease, project_code: str, *, prefix: str) -> dict[str, Any]:
    """A stored release with its ``ocid`` and ``id`` stamped on."""
    ocid = f"{prefix}-{project_code}"
    return {"ocid": ocid, "id": f"{ocid}-{row.id}", **row.data}


def _identified(value: Any) -> bool:
    """An array merged item by item: every item is an object with an ``id``."""
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "id" in i for i in value)


def _merge_value(earlier: Any, later: Any) -> Any:
    if isinstance(later, dict):
        out = dict(earlier) if isinstance(earlier, dict) else {}
        for key, value in later.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = _merge_value(out.get(key), value)
        return out
    if _identified(later) and (earlier is None or _identified(earlier)):
        merged = {item["id"]: item for item in earlier or []}
        for item in later:
            merged[item["id"]] = _merge_value(merged.get(item["id"]), item)
        return list(merged.values())
    return copy.deepcopy(later)


def merge(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of one process by the OCDS 1.1 merge rules.

    Releases are taken in ``date`` order; objects merge by key; arrays whose items are all objects
    with an ``id`` merge item by item on that ``id`` (new ids append in order); every other array
    (codes such as ``roles`` and ``tag``, lists of strings) is replaced whole; a ``null`` removes the
    field. Fields about a release rather than the process (``id``, ``date``, ``tag``, ...) are left
    out, and the compiled release gets ``tag`` ``compiled``, the latest ``date``, and the ``id``
    ``<ocid>-<latest date>`` the schema recommends. The inputs are not modified.
    """
    ordered = sorted(releases, key=lambda r: r["date"])
    compiled: dict[str, Any] = {}
    for release in ordered:
        compiled = _merge_value(compiled, {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED})
    latest = ordered[-1]["date"]
    return {"ocid": ordered[-1]["ocid"], "id": f"{ordered[-1]['ocid']}-{latest}", "date": latest, "tag": ["compiled"],
            **{k: v for k, v in compiled.items() if k != "ocid"}}


def package(releases: list[dict[str, Any]], *, uri: str, publisher: str, now: datetime) -> dict[str, Any]:
    """An OCDS 1.1 release package around ``releases``, declaring the lots extension they use."""
    return {"uri": uri, "version": "1.1", "extensions": [LOTS_EXTENSION], "publishedDate": now.isoformat(),
            "publisher": {"name": publisher}, "releases": releases}


def record_package(project: Project, rows: list[OcdsRelease], *, prefix: str, publisher: str, uri: str,
                   now: datetime) -> dict[str, Any]:
    """An OCDS 1.1 record package: every release of the project and their compiled release."""
    releases = [served(row, project.code, prefix=prefix) for row in rows]
    record: dict[str, Any] = {"ocid": f"{prefix}-{project.code}", "releases": releases}
    if releases:
        record["compiledRelease"] = merge(releases)
    return {"uri": uri, "version": "1.1", "extensions": [LOTS_EXTENSION], "publishedDate": now.isoformat(),
            "publisher": {"name": publisher}, "records": [record]}


async def tenderer_names(session: AsyncSession, project_ids: list[int]) -> dict[int, dict[str, str]]:
    """The registered enterprises' names by credit code, for each project."""
    rows = (await session.execute(select(Registration.project_id, Registration.credit_code, Registration.name)
                                  .where(Registration.project_id.in_(project_ids)))).all()
    out: dict[int, dict[str, str]] = {pid: {} for pid in project_ids}
    for pid, code, name in rows:
        out[pid][code] = name
    return out


async def releases_of(session: AsyncSession, project: Project) -> list[OcdsRelease]:
    """The project's published releases, oldest first."""
    return list((await session.execute(select(OcdsRelease).where(OcdsRelease.project_id == project.id)
                                       .order_by(OcdsRelease.id))).scalars())


async def release_page(session: AsyncSession, page: PageParams, *,
                       since: datetime | None) -> tuple[list[tuple[OcdsRelease, str]], str | None]:
    """One page of the release feed: every tender's releases dated after ``since``, oldest first, with project codes."""
    statement = select(OcdsRelease, Project.code).join(Project, Project.id == OcdsRelease.project_id)
    if since is not None:
        statement = statement.where(OcdsRelease.at > since)
    rows, cursor = await paginate(session, statement, page, keys=[OcdsRelease.id], scalars=False)
    return [(row, code) for row, code in rows], cursor
