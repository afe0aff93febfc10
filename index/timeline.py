"""When a query's matches were published: counts per day, week, month or year.

The unit is the finest of day, week, month and year that covers the matches'
dates in at most :data:`MAX_BUCKETS` buckets, so a chart of a fortnight shows
days and one of a decade shows months. Buckets are contiguous from the first
dated match to the last (empty ones included, so a chart's gaps are real), and
every match is counted exactly once: in a bucket, or as ``undated``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

MAX_BUCKETS = 60
UNITS = ("day", "week", "month", "year")


@dataclass(frozen=True, slots=True)
class TimelineBucket:
    """Matches published from ``start`` (inclusive) to the next bucket's start."""

    start: str
    """ISO date, YYYY-MM-DD: the first day of the bucket."""
    count: int


@dataclass(frozen=True, slots=True)
class Timeline:
    """Counts of matching articles per period."""

    unit: str
    """day, week (starting on Monday), month or year."""
    buckets: list[TimelineBucket] = field(default_factory=list)
    undated: int = 0
    """Matches with no (or no usable) date."""
    step: int = 1
    """Units per bucket: 1 except when even years would make more than 60 buckets."""

    @property
    def total(self) -> int:
        """Every match counted: the buckets' counts plus ``undated``."""
        return sum(b.count for b in self.buckets) + self.undated

    def bucket_end(self, index: int) -> str:
        """The last day (ISO date) of bucket ``index``."""
        following = _advance(date.fromisoformat(self.buckets[index].start), self.unit, self.step)
        return (following - timedelta(days=1)).isoformat() if following else date.max.isoformat()

    def period_clause(self, index: int) -> str:
        """The query clause that keeps the articles of bucket ``index``: ``date:[a to b]``."""
        return f"date:[{self.buckets[index].start} to {self.bucket_end(index)}]"

    def to_json(self) -> dict[str, Any]:
        """The ``"timeline"`` object of ``newsdesk search --json``."""
        data: dict[str, Any] = {
            "unit": self.unit,
            "buckets": [{"start": b.start, "count": b.count} for b in self.buckets],
            "undated": self.undated,
        }
        if self.step != 1:
            data["step"] = self.step
        return data


def parse_day(value: str | None) -> date | None:
    """The date an article's date string names (its first ten characters), or None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _floor(day: date, unit: str, step: int = 1) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    year = day.year - (day.year - 1) % step  # steps of years start at year 1, 1+step, ...
    return date(year, 1, 1)


def _advance(start: date, unit: str, step: int = 1) -> date | None:
    """The start of the next bucket, or None past 9999-12-31 (the last bucket ends there)."""
    try:
        if unit == "day":
            return start + timedelta(days=1)
        if unit == "week":
            return start + timedelta(days=7)
        if unit == "month":
            return date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return date(start.year + step, 1, 1)
    except (OverflowError, ValueError):
        return None


def _index(day: date, first: date, unit: str, step: int) -> int:
    if unit == "day":
        return (day - first).days
    if unit == "week":
        return (day - first).days // 7
    if unit == "month":
        return (day.year - first.year) * 12 + day.month - first.month
    return (day.year - first.year) // step


def build_timeline(dates: Iterable[str | None], max_buckets: int = MAX_BUCKETS) -> Timeline:
    """The timeline of matches whose date strings are ``dates`` (one per match; None or "" = undated)."""
    return build_timeline_from_counts(Counter(dates), max_buckets)


def build_timeline_from_counts(dates: Mapping[str | None, int], max_buckets: int = MAX_BUCKETS) -> Timeline:
    """The timeline of matches counted by date string (how many matches have each; None or "" = undated).

    Counting first lets a caller count a large match set in bulk (:mod:`newsdesk.index.engine.facets`).
    """
    days: Counter[date] = Counter()
    undated = 0
    for value, count in dates.items():
        day = parse_day(value)
        if day is None:
            undated += count
        else:
            days[day] += count
    if not days:
        return Timeline("day", [], undated)
    low, high = min(days), max(days)
    unit, step = "year", 1
    for candidate in UNITS:
        if _index(_floor(high, candidate), _floor(low, candidate), candidate, 1) < max_buckets:
            unit = candidate
            break
    else:
        years = high.year - low.year + 1
        step = -(-years // max_buckets)
        while _index(_floor(high, unit, step), _floor(low, unit, step), unit, step) >= max_buckets:
            step += 1  # the step-aligned first bucket can add one more
    first = _floor(low, unit, step)
    counts = [0] * (_index(_floor(high, unit, step), first, unit, step) + 1)
    for day, count in days.items():
        counts[_index(day, first, unit, step)] += count
    buckets = []
    start: date | None = first
    for count in counts:
        assert start is not None  # buckets end at the last dated match, never past date.max
        buckets.append(TimelineBucket(start.isoformat(), count))
        start = _advance(start, unit, step)
    return Timeline(unit, buckets, undated, step)
