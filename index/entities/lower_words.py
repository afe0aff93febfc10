"""Which words a text also uses in lower case: "Fighting" opening a sentence is a common word if "fighting"
appears elsewhere in the same text.

The rules ask this of a few dozen words per article, so the answer is looked up per word with ``str.find``
instead of collecting every lower-case word of the text with a regular expression first (that scan was a
sixth of the extractor's time). A text that asks many questions (a megabyte of capitalised sentence
starts) switches to the full scan once the lookups have cost about as much, so the work stays linear.
"""

from __future__ import annotations

import re

LOWER_WORD = re.compile(r"(?<![\w'’\-])[a-z][a-z'’\-]*")
"""A lower-case word: ASCII letters, apostrophes and hyphens, not preceded by a word character."""
_CONTINUES_LOWER_WORD = frozenset("abcdefghijklmnopqrstuvwxyz'’-")
_CONTINUES_ANY_WORD = "_'’-"
_SCAN_COST_PER_CHAR = 1 / 64
"""What ``str.find`` costs per character against the regular expression's scan (measured ~1:100)."""
_COST_PER_OCCURRENCE = 2.0


class LowerCaseWords:
    """``word in LowerCaseWords(text)``: whether ``text`` has ``word`` as a whole lower-case word.

    Exactly ``word in set(LOWER_WORD.findall(text))``, answered lazily.
    """

    __slots__ = ("_answers", "_budget", "_text", "_words")

    def __init__(self, text: str) -> None:
        self._text = text
        self._answers: dict[str, bool] = {}
        self._words: set[str] | None = None
        self._budget = float(len(text))

    def __contains__(self, word: object) -> bool:
        if self._words is not None:
            return word in self._words
        if not isinstance(word, str):
            return False
        answer = self._answers.get(word)
        if answer is None:
            answer = self._answers[word] = self._occurs(word)
        return answer

    def _occurs(self, word: str) -> bool:
        if not LOWER_WORD.fullmatch(word):
            return False  # findall could never have produced it
        text = self._text
        length = len(word)
        occurrences = 0
        found = False
        index = text.find(word)
        while index >= 0:
            occurrences += 1
            before = text[index - 1] if index else " "
            after = text[index + length] if index + length < len(text) else " "
            if not (before.isalnum() or before in _CONTINUES_ANY_WORD) and after not in _CONTINUES_LOWER_WORD:
                found = True
                break
            index = text.find(word, index + 1)
        self._budget -= len(text) * _SCAN_COST_PER_CHAR + occurrences * _COST_PER_OCCURRENCE
        if self._budget < 0:
            self._words = set(LOWER_WORD.findall(text))
        return found
