"""Bounds on what one query may cost, and checks of values Whoosh would silently misread.

Every query must answer within a couple of seconds or say why not. Whoosh
itself puts no bound on fuzzy distance (``stepanakert~9`` walks the whole
lexicon with a huge automaton), on word length, on how many words a wildcard
expands to (``*a*`` reads every posting of most words) or on how long
evaluation runs. The caps here turn each of those into one line that says how
to narrow the query; :class:`Deadline` stops whatever still runs too long.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime

from newsdesk.index.errors import QueryError, QueryTooCostly
from whoosh import query as wq

MAX_QUERY_CHARS = 10_000
"""Longest query text accepted."""
MAX_WORD_CHARS = 100
"""Longest single word (parsing and analysing a word costs time quadratic in its length)."""
MAX_WORDS = 200
"""Most words (terms, not operators) in one query."""
MAX_FUZZY_EDITS = 2
"""Largest edit distance of ``word~N``; beyond 2 almost every short word matches."""
MAX_EXPANSION = 2_000
"""Most index words one prefix, wildcard or fuzzy term may stand for."""
QUERY_SECONDS = 2.0
"""Time budget of one query (its thread's CPU time); past it the search stops and asks to narrow the query."""
WALL_FACTOR = 5
"""A query is stopped by the clock too, at this many times its budget, however little CPU it was given."""

_WORD_SPLIT = re.compile(r'[\s()"]+')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "to"}
_COMPARISON = re.compile(r"[<>]=?")
_BOOST = re.compile(r"\^(\S*)")
_NEGATIVE_DISTANCE = re.compile(r"~(-\S*)")
_DATE_VALUE = re.compile(r"(?<!\w)date:([\[{][^\]}]*[\]}]?|[<>]=?\S*|[^\s)]*)", re.IGNORECASE)
_DATE = re.compile(  # ASCII digits only: int() would take any script's digits
    r"(?P<y>\d{4})(?:[-/.]?(?P<m>\d{2})(?:[-/.]?(?P<d>\d{2})"
    r"(?:[T ]?(?P<H>\d{2})(?::?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?)?)?)?",
    re.ASCII,
)
_LEADING_WILDCARD = re.compile(r"^[*?]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str) -> None:
    """Refuse lone surrogates: bytes that were not UTF-8 (a shell's argv keeps them so).

    No index word holds one, and Whoosh cannot encode one to look it up: the
    error it raised from inside the index files was taken for a damaged index,
    which was then set aside and rebuilt (a prefix such as ``pa\\xff*``).
    """
    if _SURROGATE.search(text):
        raise QueryError("the query holds bytes that are not UTF-8 text; retype it or fix the terminal's encoding")


def check_costs(bare: str) -> None:
    """Refuse query text (quoted phrases already blanked out) too long or with too many or too long words."""
    if len(bare) > MAX_QUERY_CHARS:
        raise QueryTooCostly(f"the query is {len(bare):,} characters long; at most {MAX_QUERY_CHARS:,}")
    words = [w for w in _WORD_SPLIT.split(bare) if w and w not in _OPERATORS]
    if len(words) > MAX_WORDS:
        raise QueryTooCostly(f"the query has {len(words)} words; at most {MAX_WORDS}")


def check_word_lengths(text: str) -> None:
    """Refuse any word (quoted or not) longer than :data:`MAX_WORD_CHARS`."""
    longest = max((len(w) for w in _WORD_SPLIT.split(text)), default=0)
    if longest > MAX_WORD_CHARS:
        raise QueryTooCostly(f"a word of the query is {longest:,} characters long; at most {MAX_WORD_CHARS}")


def check_values(bare: str, text: str | None = None) -> None:
    """Comparisons, boosts and dates that Whoosh would drop or misread without a word.

    ``text``: the query as written, of which ``bare`` is the same-length copy with quoted values blanked
    out; a date refused is named as written (the message named the placeholder: 'qqqqqq' is not a date).
    """
    for match in _COMPARISON.finditer(bare):
        before, after = bare[: match.start()], bare[match.end() :]
        if not before.endswith(":") or not after[:1] or after[:1].isspace() or after[:1] in "<>)":
            raise QueryError(f"'{match.group()}' compares a field with a value, as in date:>2020-10-01")
    for match in _NEGATIVE_DISTANCE.finditer(bare):
        raise QueryError(f"'~{match.group(1)}': a distance is a whole number of 1 or more, as in \"a b\"~3 or word~2")
    for match in _BOOST.finditer(bare):
        value = match.group(1)
        if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", value) or float(value) <= 0:
            raise QueryError(f"'^{value}': a boost is a positive number, as in word^2")
    for match in _DATE_VALUE.finditer(bare):
        value = match.group(1) if text is None else text[match.start(1) : match.end(1)]
        if value[:1] in "[{":
            ends = [end for end in value[1:].rstrip("]}").split() if end.lower() != "to"]
        else:
            ends = [value.lstrip("<>=")]
        for end in ends:
            if end and not _is_date(end):
                raise QueryError(f"'{end}' is not a date: write date:YYYY, date:YYYY-MM or date:YYYY-MM-DD")


def _is_date(text: str) -> bool:
    found = _DATE.fullmatch(text)
    if found is None:
        return False
    parts = {k: int(v) for k, v in found.groupdict().items() if v is not None}
    try:
        datetime(
            parts["y"], parts.get("m", 1), parts.get("d", 1), parts.get("H", 0), parts.get("M", 0), parts.get("S", 0)
        )
    except ValueError:
        return False
    return True


def check_fuzzy(text: str, maxdist: int) -> None:
    """Refuse a fuzzy term with more than :data:`MAX_FUZZY_EDITS` edits."""
    if maxdist > MAX_FUZZY_EDITS:
        raise QueryTooCostly(
            f"'{text}~{maxdist}': fuzzy matching allows at most {MAX_FUZZY_EDITS} edits (write {text}~2)"
        )


def check_wildcard(pattern: str) -> None:
    """Refuse a wildcard with no letter before its first ``*`` or ``?``: it would scan every word."""
    if _LEADING_WILDCARD.match(pattern):
        raise QueryTooCostly(f"'{pattern}' matches too many words; add letters before the first * or ?")


def shown_multiterm(q: wq.MultiTerm) -> str:
    """A multi-term query as the user wrote it (near enough for a message)."""
    if isinstance(q, wq.TermRange):
        return f"{q.fieldname}:[{q.start or ''} to {q.end or ''}]"
    text = q.text.decode("utf-8", "replace") if isinstance(q.text, bytes) else str(q.text)
    if isinstance(q, wq.Prefix):
        return f"{text}*"
    if isinstance(q, wq.FuzzyTerm):
        return f"{text}~{q.maxdist}"
    return text


def too_many_words(shown: str) -> QueryTooCostly:
    """The error for a prefix, wildcard or fuzzy term standing for more than :data:`MAX_EXPANSION` words."""
    return QueryTooCostly(f"'{shown}' matches too many words; add letters")


class Deadline:
    """The time budget of one query; :meth:`check` raises once it is spent.

    The budget is the searching thread's CPU time, not the clock's: on a shared
    server with both cores busy, a query that needs 0.2 s of work can take 3 s
    by the clock, and stopping it then told an analyst to narrow a query that
    was not costly (a plain word failed so under a loaded test run). The clock
    still bounds it, at :data:`WALL_FACTOR` times the budget, so that a starved
    search gives the index back in the end. Checked from another thread than
    the one that made it, the budget falls back to the clock alone.
    """

    def __init__(self, seconds: float | None = QUERY_SECONDS) -> None:
        self.seconds = seconds
        self._thread = threading.get_ident()
        self._cpu_ends = None if seconds is None else time.thread_time() + seconds
        self._wall_ends = None if seconds is None else time.monotonic() + seconds * WALL_FACTOR
        self._fallback_ends = None if seconds is None else time.monotonic() + seconds

    def _past(self, cpu_ends: float | None, wall_ends: float | None, fallback_ends: float | None) -> bool:
        if cpu_ends is None or wall_ends is None or fallback_ends is None:
            return False
        now = time.monotonic()
        if threading.get_ident() != self._thread:
            return now > fallback_ends
        return time.thread_time() > cpu_ends or now > wall_ends

    def check(self) -> None:
        """Raise :class:`QueryTooCostly` when the budget is spent."""
        if self._past(self._cpu_ends, self._wall_ends, self._fallback_ends):
            raise QueryTooCostly(
                f"the query took more than {self.seconds:g} s and was stopped; narrow it "
                "(fewer words, longer prefixes, fewer wildcards)"
            )

    def spent(self, fraction: float) -> bool:
        """True when more than ``fraction`` of the budget is gone (optional extras are skipped then)."""
        if self.seconds is None or self._cpu_ends is None or self._wall_ends is None or self._fallback_ends is None:
            return False
        unspent = self.seconds * (1 - fraction)
        return self._past(
            self._cpu_ends - unspent, self._wall_ends - unspent * WALL_FACTOR, self._fallback_ends - unspent
        )
