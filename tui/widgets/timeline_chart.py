"""A bar chart of when the current query's matches were published; Enter narrows the query to one bar."""

from __future__ import annotations

from typing import ClassVar

from newsdesk.index import Timeline
from newsdesk.tui.messages import Narrow
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widget import Widget

BARS = " ▁▂▃▄▅▆▇█"
UNIT_LABEL = {"day": "", "week": "week of ", "month": "", "year": ""}


class TimelineChart(Widget, can_focus=True):
    """One column per period (day, week, month or year); the selected one is highlighted."""

    DEFAULT_CSS = """
    TimelineChart { height: 3; padding: 0 1; }
    TimelineChart:focus { background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h,left", "move(-1)", "Earlier period", show=False, id="timeline.earlier"),
        Binding("l,right", "move(1)", "Later period", show=False, id="timeline.later"),
        Binding("g,home", "move_to(0)", "First period", show=False, id="timeline.first"),
        Binding("G,end", "move_to(-1)", "Last period", show=False, id="timeline.last"),
        Binding("enter", "narrow", "Narrow to period", id="timeline.narrow"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.pending = False
        self.selected = 0

    def show_timeline(self, timeline: Timeline | None, pending: bool = False) -> None:
        """Draw ``timeline`` (None: nothing to draw; ``pending``: a new one is being counted)."""
        self.timeline, self.pending = timeline, pending
        if timeline is not None and timeline.buckets:
            busiest = max(range(len(timeline.buckets)), key=lambda i: (timeline.buckets[i].count, i))
            self.selected = busiest
        else:
            self.selected = 0
        self.refresh()

    def render(self) -> Text:
        timeline = self.timeline
        if timeline is None or not timeline.buckets:
            message = "counting…" if self.pending else "no dated matches" if timeline else "no search"
            undated = f" · {timeline.undated:,} undated" if timeline and timeline.undated else ""
            return Text(f"timeline: {message}{undated}", style="dim")
        width = max(1, self.content_size.width)
        count = len(timeline.buckets)
        first = 0 if count <= width else min(max(0, self.selected - width // 2), count - width)
        peak = max(b.count for b in timeline.buckets) or 1
        bars = Text(no_wrap=True, overflow="crop")
        for index in range(first, min(count, first + width)):
            value = timeline.buckets[index].count
            level = 0 if not value else max(1, round(value / peak * (len(BARS) - 1)))
            bars.append(BARS[level] if value else "·", style="reverse" if index == self.selected else "")
        bucket = timeline.buckets[self.selected]
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append(f"{UNIT_LABEL[timeline.unit]}{self._period(self.selected)}: {bucket.count:,}")
        if timeline.undated:
            label.append(f" · {timeline.undated:,} undated", style="dim")
        hint = Text("z focus · ←→ pick · ⏎ narrow", style="dim", no_wrap=True, overflow="ellipsis")
        return Text("\n").join([bars, label, hint])

    def _period(self, index: int) -> str:
        assert self.timeline is not None
        start = self.timeline.buckets[index].start
        unit = self.timeline.unit
        if unit == "month":
            return start[:7]
        if unit == "year":
            end = self.timeline.bucket_end(index)
            return start[:4] if end[:4] == start[:4] else f"{start[:4]}-{end[:4]}"
        return start

    def action_move(self, delta: int) -> None:
        if self.timeline is not None and self.timeline.buckets:
            self.selected = max(0, min(len(self.timeline.buckets) - 1, self.selected + delta))
            self.refresh()

    def action_move_to(self, index: int) -> None:
        if self.timeline is not None and self.timeline.buckets:
            self.selected = index % len(self.timeline.buckets)
            self.refresh()

    def action_narrow(self) -> None:
        if self.has_class("-stale"):  # dimmed: the older query's bars, kept until the new query's come
            self.notify("The timeline is still being counted for the new query.", timeout=2)
            return
        if self.timeline is not None and self.timeline.buckets:
            # The query so far in parentheses, then the period (``date:[a to b]``); the list next.
            self.post_message(Narrow(self.timeline.period_clause(self.selected), group=True, then_list=True))
