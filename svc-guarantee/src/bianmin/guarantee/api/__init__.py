"""The guarantee service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.guarantee.api import claims, deliveries, guarantees, issuers, ledger, stats

ROUTERS: list[APIRouter] = [issuers.router, guarantees.router, claims.router, ledger.router, deliveries.router,
                            stats.router]
