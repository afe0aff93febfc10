"""The search timeline: at most 60 contiguous buckets, every match counted once."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index.timeline import MAX_BUCKETS, build_timeline
from newsdesk.tui.cli import main

from tests.conftest import write

_dates = st.one_of(
    st.dates().map(date.isoformat),
    st.dates(min_value=date(2019, 1, 1), max_value=date(2021, 1, 1)).map(date.isoformat),
    st.none(),
    st.just(""),
    st.text(max_size=12),
)


@settings(max_examples=300)
@given(st.lists(_dates, max_size=80))
def test_buckets_and_undated_add_up_to_every_match(values: list[str | None]) -> None:
    timeline = build_timeline(values)
    assert timeline.total == len(values)
    assert len(timeline.buckets) <= MAX_BUCKETS
    assert timeline.unit in ("day", "week", "month", "year")
    starts = [date.fromisoformat(b.start) for b in timeline.buckets]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for index, bucket in enumerate(timeline.buckets):
        # each dated value falls in exactly the bucket whose period holds it
        end = date.fromisoformat(timeline.bucket_end(index))
        first = date.fromisoformat(bucket.start)
        held = [v for v in values if v and len(v) >= 10 and (day := _day(v)) and first <= day <= end]
        assert len(held) == bucket.count


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@given(st.lists(st.dates(), min_size=1, max_size=40))
def test_the_finest_unit_that_fits_is_chosen(days: list[date]) -> None:
    timeline = build_timeline(d.isoformat() for d in days)
    span = (max(days) - min(days)).days
    if span < MAX_BUCKETS - 1:
        assert timeline.unit == "day"
    if timeline.unit != "day":
        assert span >= MAX_BUCKETS


def test_units_for_a_fortnight_a_year_and_a_decade() -> None:
    start = date(2020, 10, 1)
    assert build_timeline([start.isoformat(), (start + timedelta(days=13)).isoformat()]).unit == "day"
    year = build_timeline([start.isoformat(), (start + timedelta(days=300)).isoformat()])
    assert year.unit == "week" and year.buckets[0].start == "2020-09-28"  # weeks start on Monday
    decade = build_timeline(["2016-03-02", "2020-10-01"])
    assert decade.unit == "month" and decade.buckets[0].start == "2016-03-01"
    assert build_timeline(["1990-01-01", "2020-10-01"]).unit == "year"
    ancient = build_timeline(["0001-01-01", "9999-12-31"])
    assert ancient.unit == "year" and len(ancient.buckets) <= MAX_BUCKETS and ancient.step > 1
    assert ancient.bucket_end(len(ancient.buckets) - 1) == "9999-12-31"


def test_period_clause_narrows_a_search_to_one_bucket(library: Library) -> None:
    results = library.search("truce OR ceasefire OR mercenary")
    timeline = results.timeline
    assert timeline is not None and timeline.total == results.total
    dated = [i for i, b in enumerate(timeline.buckets) if b.count]
    assert dated
    clause = timeline.period_clause(dated[0])
    narrowed = library.search(f"(truce OR ceasefire OR mercenary) {clause}")
    assert narrowed.total == timeline.buckets[dated[0]].count


def test_search_json_has_the_timeline(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    write(corpus, "late.md", "---\ntitle: Late truce\ndate: 2021-03-05\n---\nThe truce held.\n")
    assert main(["search", "truce", "--corpus", str(corpus), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    timeline = data["timeline"]
    assert set(timeline) == {"unit", "buckets", "undated"}
    assert timeline["unit"] == "week"
    assert sum(b["count"] for b in timeline["buckets"]) + timeline["undated"] == data["total"]
    assert all(set(b) == {"start", "count"} for b in timeline["buckets"])
