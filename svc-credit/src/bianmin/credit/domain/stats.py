"""The credit figures for the cockpit and ``GET /v1/stats``.

- enterprises coded: enterprises with a color at the end of the period's last recompute (now);
- distribution by color: the current color of every coded enterprise;
- transitions: color changes whose ``changed_at`` falls in the period (Asia/Shanghai days),
  broken down by ``old→new``; first colors given at registration are not transitions.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from bianmin.credit.domain.rules import COLORS
from bianmin.credit.models import BadRecord, ColorChange, Enterprise
from bianmin.kit.stats import Figure, StatsContext
from bianmin.kit.workdays import SHANGHAI


async def figures(ctx: StatsContext) -> list[Figure]:
    """Enterprises coded, their distribution by color, and the color transitions in the period."""
    session, period = ctx.session, ctx.period
    by_color = dict((await session.execute(
        select(Enterprise.color, func.count()).where(Enterprise.color.is_not(None)).group_by(Enterprise.color))).all())
    coded = sum(by_color.values())
    query = select(ColorChange.old_color, ColorChange.new_color, func.count()).where(
        ColorChange.old_color.is_not(None)).group_by(ColorChange.old_color, ColorChange.new_color)
    if period.start is not None:
        query = query.where(ColorChange.changed_at >= datetime.combine(period.start, time(0), tzinfo=SHANGHAI))
    if period.end is not None:
        query = query.where(ColorChange.changed_at < datetime.combine(period.end + timedelta(days=1), time(0),
                                                                      tzinfo=SHANGHAI))
    transitions = {f"{old}->{new}": n for old, new, n in (await session.execute(query)).all()}
    pending = await session.scalar(select(func.count()).select_from(BadRecord).where(BadRecord.status == "pending"))
    return [
        Figure(name="enterprises_coded", value=coded, unit="enterprises",
               definition="Enterprises that carry a five-color code now."),
        Figure(name="color_distribution", value=coded, unit="enterprises",
               definition="Enterprises by their current color (as of the last recompute or record change).",
               breakdown={color: by_color.get(color, 0) for color in COLORS}),
        Figure(name="color_transitions", value=sum(transitions.values()), unit="changes",
               definition="Changes of an enterprise's color in the period (first colors at registration "
                          "excluded), by old->new.",
               breakdown=transitions),
        Figure(name="records_pending_review", value=pending or 0, unit="records",
               definition="Bad records waiting for a reviewer's confirmation or revocation now."),
    ]
