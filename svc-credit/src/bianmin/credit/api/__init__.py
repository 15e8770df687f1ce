"""The credit service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.credit.api import enterprises, records, rules, stats

ROUTERS: list[APIRouter] = [enterprises.router, records.router, rules.router, stats.router]
