"""What a word's shape and place say, before anything is known about the article: pure functions.

Whether a position opens a sentence, whether a capitalised word can be part of a person's name, whether it
is a title ("President", "Co-Chairs") or a sentence-initial description ("Defender", "Twenty-eight-year-old"),
whether a title is written in headline case. Shared by :mod:`capitalised_runs` and :mod:`single_words`.
"""

from __future__ import annotations

from collections.abc import Iterator

from newsdesk.index.entities.lexicon import FUNCTION_WORDS, NOT_NAMES, ORG_TAILS, PLACE_TAILS, ROLE_TITLES

SENTENCE_END = frozenset(".!?:;\"“”‘’'([—–-")
"""Characters after which a capitalised word opens a sentence (or a quotation, or a parenthesis)."""
_ROLE_SUFFIXES = ("ers", "ors", "man", "men", "ist", "ists", "ants", "ents")  # not "-er": Christopher
_HEADLINE_MIN_SHARE = 0.6


def whole_word_matches(text: str, name: str) -> Iterator[int]:
    """Where ``name`` occurs in ``text`` as whole words (str.find: no regex to compile per name)."""
    start = text.find(name)
    while start >= 0:
        before = text[start - 1] if start else " "
        after = text[start + len(name)] if start + len(name) < len(text) else " "
        if not (before.isalnum() or before in "-_" or after.isalnum() or after in "-_"):
            yield start
        start = text.find(name, start + 1)


def sentence_initial(text: str, start: int) -> bool:
    """Whether ``start`` begins a sentence (a line break inside a paragraph does not end one)."""
    position = start - 1
    while position >= 0 and text[position] in " \t":
        position -= 1
    if position >= 0 and text[position] == "\n":
        position -= 1
        while position >= 0 and text[position] in " \t\r":
            position -= 1
        return position < 0 or text[position] == "\n" or text[position] in SENTENCE_END
    return position < 0 or text[position] in SENTENCE_END


def name_like(word: str) -> bool:
    """A capitalised word that could be part of a name."""
    if not word[:1].isupper() or word in FUNCTION_WORDS or word in ORG_TAILS or word in PLACE_TAILS:
        return False
    core = word.replace("-", "").replace("'", "").replace("’", "")
    return core.isalpha() and not word.isupper()


def person_word(word: str) -> bool:
    """A word that can be part of a person's name (not a title, not "War" or "Islamic")."""
    return name_like(word) and not is_role(word) and word not in NOT_NAMES


def is_role(word: str) -> bool:
    """A title before a name: "President", "Gen.", "Attorney-General", "Co-Chairs"."""
    word = word.rstrip(".")
    if word in ROLE_TITLES or ("-" in word and any(part in ROLE_TITLES for part in word.split("-"))):
        return True
    singular = word[:-1] if word.endswith("s") else ""
    return bool(singular) and (
        singular in ROLE_TITLES or ("-" in singular and any(part in ROLE_TITLES for part in singular.split("-")))
    )


def describes(word: str) -> bool:
    """A word that describes the person after it at the start of a sentence.

    A title ("Defender"), an age ("Twenty-eight-year-old"), or a word with an agent-noun ending
    ("Businessmen", "Striker"): a sentence does not start with three names in a row.
    """
    if is_role(word) or word in NOT_NAMES:
        return True
    if "-" in word and any(part.islower() for part in word.split("-")[1:]):
        return True
    return word.lower().endswith(_ROLE_SUFFIXES) and len(word) > 5


def is_headline(title: str) -> bool:
    """Whether ``title`` is written in headline case ("Fighting Resumes Near Border Town")."""
    words = [w for w in title.split() if len(w) > 3 and w[:1].isalpha()]
    if len(words) < 3:
        return False
    return sum(1 for w in words if w[0].isupper()) / len(words) >= _HEADLINE_MIN_SHARE
