"""SQL that SQLite and PostgreSQL spell differently, and the percentiles both can compute.

Each construct compiles per dialect (`sqlalchemy.ext.compiler`), so the queries in this package are
written once. Times are UTC: SQLite stores them as text without a zone, PostgreSQL as `timestamptz`.

Percentiles, precisely (the same ranks on both databases: `percentile_disc` on PostgreSQL, `ROW_NUMBER()` on
SQLite; see `summarized`):
- **median**: the middle value of the sorted values, or the mean of the two middle ones when their
  number is even (ranks ⌊(n+1)/2⌋ and ⌊(n+2)/2⌋);
- **p90**: nearest rank: the ⌈0.9·n⌉-th smallest value, an actual value, never interpolated (n = 10 →
  the 9th, n = 20 → the 18th, n = 5 → the 5th: with fewer than 10 values the p90 is the largest).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, Float, Select, String, and_, case, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

AnySelect = Select[*tuple[Any, ...]]  # a SELECT of any columns


class seconds_between(FunctionElement[float]):
    """`end - start` in seconds, to the millisecond (a float; NULL when either is NULL)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    # julianday() is a float of days: ~30 µs of error in a difference, so round to the millisecond, which is
    # then exact (180.0000295 → 180.0; a breach "later than 180 s" must not catch an answer in 180 s)
    return f"round((julianday({end}) - julianday({start})) * 86400.0, 3)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION)"


class month_of(FunctionElement[str]):
    """`YYYY-MM` of a time, in UTC."""

    type = String()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_postgresql(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"


class week_of(FunctionElement[str]):
    """`YYYY-MM-DD` of the Monday starting a time's ISO week, in UTC."""

    type = String()
    inherit_cache = True


@compiles(week_of, "sqlite")
def _week_sqlite(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is that week's Monday
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_of, "postgresql")
def _week_postgresql(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char(date_trunc('week', {compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


def summarized(values: AnySelect, keys: tuple[str, ...], dialect: str) -> AnySelect:
    """Per group of `keys`: count, mean, median and p90 of the `value` column of `values` (definitions above).

    `values` selects the `keys` columns and `value`; NULL values are left out before ranking. PostgreSQL
    picks the ranks with ordered-set aggregates (one in-memory sort per group, no window); SQLite has none,
    so it numbers the rows with one window and keeps only the picked ones (see `_ranked`)."""
    given = values.subquery("vals")
    measured = select(given).where(given.c.value.is_not(None)).cte("measured")
    if dialect == "postgresql":
        return _ordered_sets(measured, keys)
    return _ranked(measured, keys)


def _ordered_sets(measured: CTE, keys: tuple[str, ...]) -> AnySelect:
    groups = [measured.c[k] for k in keys]
    return select(*groups, *ordered_set_summary(measured.c.value)).group_by(*groups)


def ordered_set_summary(value: ColumnElement[Any], prefix: str = "") -> list[ColumnElement[Any]]:
    """PostgreSQL only: count, mean, median and p90 of `value` in each group, as aggregates (NULLs ignored).

    percentile_disc(0.5) ascending is rank ⌈n/2⌉ = ⌊(n+1)/2⌋, descending it is rank ⌊(n+2)/2⌋ from the
    bottom; percentile_disc(0.9) is rank ⌈0.9·n⌉: the very values the window version picks."""
    lower = func.percentile_disc(0.5).within_group(value)
    upper = func.percentile_disc(0.5).within_group(value.desc())
    return [func.count(value).label(f"{prefix}count"), func.avg(value).label(f"{prefix}mean"),
            ((lower + upper) / 2).label(f"{prefix}median"),
            func.percentile_disc(0.9).within_group(value).label(f"{prefix}p90")]


def _ranked(measured: CTE, keys: tuple[str, ...]) -> AnySelect:
    # the sizes come from a plain GROUP BY (cheap), so the window only numbers rows; then only the
    # two middle rows and the p90 row of each group reach the final aggregate
    groups = [measured.c[k] for k in keys]
    sizes = select(*groups, func.count().label("n"), func.avg(measured.c.value).label("mean")
                   ).group_by(*groups).subquery("sizes")
    ranked = select(*groups, measured.c.value, func.row_number().over(
        partition_by=groups, order_by=measured.c.value).label("rn")).subquery("ranked")
    rn, n, value = ranked.c.rn, sizes.c.n, ranked.c.value
    middle: ColumnElement[bool] = or_(rn == (n + 1) // 2, rn == (n + 2) // 2)
    nearest = (9 * n + 9) // 10
    on = and_(true(), *[ranked.c[k].is_not_distinct_from(sizes.c[k]) for k in keys])
    return select(*[sizes.c[k] for k in keys], n.label("count"), sizes.c.mean.label("mean"),
                  func.avg(case((middle, value))).label("median"),
                  func.max(case((rn == nearest, value))).label("p90"),
                  ).select_from(ranked.join(sizes, on)).where(or_(middle, rn == nearest)
                  ).group_by(*[sizes.c[k] for k in keys], n, sizes.c.mean)
