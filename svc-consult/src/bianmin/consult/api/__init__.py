"""The consult service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.consult.api import asker, consultations, kb, rectifications, routing, stats, suggestions

ROUTERS: list[APIRouter] = [asker.router, consultations.router, kb.router, rectifications.router, routing.router,
                             stats.router, suggestions.router]
