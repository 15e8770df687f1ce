"""The guarantee service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.guarantee.api import claims, deliveries, guarantees, issuers, ledger, projects, stats

ROUTERS: list[APIRouter] = [issuers.router, projects.router, guarantees.router, claims.router, ledger.router,
                            deliveries.router, stats.router]
