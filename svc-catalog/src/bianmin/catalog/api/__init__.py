"""The catalog service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.catalog.api import applications, calendar, departments, evaluations, exchange, items, policies, sites, stats

ROUTERS: list[APIRouter] = [exchange.router, departments.router, sites.router, items.router, calendar.router, applications.router,
                            evaluations.router, policies.router, stats.router]
