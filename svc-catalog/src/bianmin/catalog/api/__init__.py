"""The catalog service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.catalog.api import applications, calendar, departments, items, sites

ROUTERS: list[APIRouter] = [departments.router, sites.router, items.router, calendar.router, applications.router]
