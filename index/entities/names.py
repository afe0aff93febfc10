"""One key per name however it is transliterated: "Sergey"/"Sergei", "Aliyev"/"Aliev", "Zakharowa"/"Zakharova".

Names from Cyrillic, Armenian, Arabic or Persian reach English text through several romanisation systems
(BGN/PCGN, ISO 9, German and French ones, the press's own habits). They differ in a small number of places,
and those are what :func:`fold_key` folds, so two spellings of one name get one key:

- accents and case (NFKD, then ASCII): "Əliyev" -> "aliyev";
- the semivowel й/y written y, i, j or ĭ, and the soft vowels я/ю/е/ё written ya/ia/ja, yu/iu/ju, ye/ie/je:
  every y and j becomes i ("Sergey" -> "sergei", "Pashinyan" -> "pashinian", "Aliyev" -> "aliiev");
- в written v or w (German): w -> v ("Zakharowa" -> "zakharova");
- х written kh, h, ch (German) or x (Azerbaijani Latin): all become h ("Khankendi", "Xankendi");
- ц written ts, tz, z or c: all become c; ш/ч/щ written sh/sch/ch/tsch: all become sh;
- doubled letters written single (German "ss", Italian "ll"), and the apostrophe of the soft sign dropped.

It is deliberately a key, not a spelling: it is only compared, never shown. Different names can share a key
(that is the price of folding), so callers merge on it only between names of one type.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_STEPS = (
    (re.compile(r"tsch|sch|ch|sh|zh|tch"), "sh"),
    (re.compile(r"kh|x"), "h"),
    (re.compile(r"tz|ts"), "c"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"(.)\1+"), r"\1"),
)
_NOT_LETTERS = re.compile(r"[^a-z ]+")
_UNDECOMPOSED = str.maketrans(
    {
        "Ə": "A",
        "ə": "a",
        "ı": "i",
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "ß": "ss",
        "Æ": "Ae",
        "æ": "ae",
        "Œ": "Oe",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "ʻ": "",
        "ʼ": "",
    }
)
"""Latin letters with no decomposition to ASCII (Azerbaijani ə, Turkish ı, Polish ł)."""


@functools.lru_cache(maxsize=65_536)
def fold_key(name: str) -> str:
    """The comparison key of ``name``: equal for spellings that differ only by transliteration."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    ascii_form = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    key = " ".join(_NOT_LETTERS.sub("", ascii_form.replace("-", " ")).split())
    for pattern, replacement in _STEPS:
        key = pattern.sub(replacement, key)
    return key
