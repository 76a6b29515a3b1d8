"""Bounded histograms of days: what the aggregates keep so that a read costs the same whatever the history.

Why: a {days: answers} histogram per aggregate row grows with the history (more answers per row, so more
distinct values: 4 entries per month row at 20k cases, 15 at 200k), and merging the histograms of a period's
rows was the one part of a league or dashboard read whose cost grew with history. A fixed array of bins costs
the same for every row, and PostgreSQL sums it column by column in the same pass as the other sums.

The bins: one per day from 0 to EXACT_DAYS (60: three times the longest answer deadline of the policies,
15 working days for questions and 20 for the other kinds, so covering every extension the law allows), then
four coarse bins, 61–90, 91–180, 181–365 and more than 365 days. A median or 90th percentile is exact as long
as it falls within EXACT_DAYS (with the interpolation of percentile_cont); one that falls in a coarse bin is
given as that bin's lower bound, i.e. "at least 61 / 91 / 181 / 366 days". A negative count of days (an answer
recorded before its clock started, which the services do not allow) is counted as 0.
"""

from __future__ import annotations

from collections.abc import Sequence

EXACT_DAYS = 60
COARSE_LOWER_BOUNDS = (61, 91, 181, 366)
BIN_COUNT = EXACT_DAYS + 1 + len(COARSE_LOWER_BOUNDS)
# The value a bin stands for: its day, or a coarse bin's lower bound.
BIN_VALUES = (*range(EXACT_DAYS + 1), *COARSE_LOWER_BOUNDS)


def bin_sql(days: str) -> str:
    """SQL giving the 0-based bin of the integer expression `days`."""
    coarse = " ".join(
        f"WHEN {days} < {upper} THEN {EXACT_DAYS + 1 + index}" for index, upper in enumerate(COARSE_LOWER_BOUNDS[1:])
    )
    return f"CASE WHEN {days} <= {EXACT_DAYS} THEN GREATEST({days}, 0) {coarse} ELSE {BIN_COUNT - 1} END"


def bins_from_histogram_sql(histogram: str) -> str:
    """SQL turning a jsonb {days: count} histogram into the int[] of BIN_COUNT bins (zeros included)."""
    return (
        "(SELECT array_agg(COALESCE(h.n, 0) ORDER BY b.bin)"  # noqa: S608 (constants and the caller's SQL)
        f" FROM generate_series(0, {BIN_COUNT - 1}) AS b(bin)"
        f" LEFT JOIN (SELECT {bin_sql('key::int')} AS bin, sum(value::int) AS n"
        f" FROM jsonb_each_text({histogram}) GROUP BY 1) h ON h.bin = b.bin)"
    )


def bin_sums_sql(column: str) -> list[str]:
    """SQL summing each bin of the int[] `column` over a group's rows (1-based subscripts)."""
    return [f"sum({column}[{index}])" for index in range(1, BIN_COUNT + 1)]


def histogram_of(bin_counts: Sequence[int | None]) -> dict[int, int]:
    """The summed bins as {value: count} for figures.percentile (empty bins left out)."""
    return {value: int(count) for value, count in zip(BIN_VALUES, bin_counts, strict=True) if count}
