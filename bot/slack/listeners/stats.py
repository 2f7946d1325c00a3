"""`/incident stats [7d|30d|90d|…]`: figures across incidents, ephemeral (aggregated by the database after
the ack, so a large history never delays it)."""

from __future__ import annotations

from bot.reporting.figures import stats
from bot.reporting.periods import DEFAULT_STATS, Period, stats_period
from bot.reporting.sla import configured_targets
from bot.slack.blocks.stats import stats_blocks, stats_text
from bot.slack.deps import Deps
from bot.slack.listeners.invocation import Invocation


def show(deps: Deps, inv: Invocation) -> None:
    """Check the period (a bad one is refused in the ack, saying what to type), then answer with the figures."""
    period = stats_period(inv.args, deps.clock())
    label = (inv.args.strip().lower() or DEFAULT_STATS).replace(" ", "")
    inv.ack()
    deps.after_ack(inv.reply, lambda: _answer(deps, inv, period, label))


def _answer(deps: Deps, inv: Invocation, period: Period, label: str) -> None:
    with deps.begin() as session:
        figures = stats(session, period, configured_targets(deps.config), deps.clock())
    inv.respond(text=stats_text(figures, label), blocks=stats_blocks(figures, label), response_type="ephemeral",
                replace_original=False)
