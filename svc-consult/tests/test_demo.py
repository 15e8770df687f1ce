"""The demo loader: through the public API, twice without duplicates."""

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from bianmin.consult import demo
from bianmin.consult.models import Article, Consultation, Department, RoutingRule
from bianmin.testing.client import client_for


async def test_the_demo_loads_once_even_when_run_twice(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    # The loader is the real one; fewer consultations keep the test quick (make demo loads 240).
    monkeypatch.setattr(demo, "CONSULTATIONS", 30)
    async with client_for(app) as admin:
        await demo.load_demo(admin)
        await demo.load_demo(admin)
        suggestions = (await admin.get("/v1/kb/suggest", params={"q": "营业执照"})).json()
        triage = (await admin.get("/v1/consultations", params={"triage": "true", "limit": 200})).json()["items"]
    async with app.state.db.sessionmaker() as session:
        counts = {model.__name__: await session.scalar(select(func.count()).select_from(model))
                  for model in (Consultation, Article, Department, RoutingRule)}
        answered = await session.scalar(select(func.count()).where(Consultation.answered_at.is_not(None)))
    assert counts == {"Consultation": demo.CONSULTATIONS, "Article": len(demo.QUESTIONS),
                      "Department": len(demo.DEPARTMENTS), "RoutingRule": len(demo.RULES)}
    assert answered > demo.CONSULTATIONS // 2
    assert suggestions[0]["title"] == "个体户营业执照怎么办理"
    assert len(triage) > 0
