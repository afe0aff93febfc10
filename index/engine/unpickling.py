"""Schema classes that an older newsdesk, which lacks them, still unpickles (as their stock bases)."""

from __future__ import annotations

import copyreg
import importlib
from typing import Any


class _Named:
    """Pickles as the attribute ``name`` of module ``module``, looked up on load; ``fallback`` where it is missing."""

    def __init__(self, module: str, name: str, fallback: type) -> None:
        self.module, self.name, self.fallback = module, name, fallback

    def __reduce__(self) -> tuple[Any, ...]:
        return getattr, (_Module(self.module), self.name, self.fallback)


class _Module:
    """Pickles as the module ``name``, imported on load."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self) -> tuple[Any, ...]:
        return importlib.import_module, (self.name,)


class UnpicklesAsBaseWhereUnknown:
    """A schema class whose pickle (in every index's TOC) names a stock class to use where it does not exist.

    An index made by this version is read by the previous one too: a reader of
    that version open on a shared state folder while this one rebuilds, or after
    a downgrade. Pickled by name, an unknown class failed to load there and the
    index was taken for damaged, set aside and rebuilt. The stock class reads
    the same postings; only writing needs the class itself (and an older version
    never writes to an index made by a newer one: the schema version differs).
    """

    _FALLBACK: type

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        cls = type(self)
        named = _Named(cls.__module__, cls.__qualname__, self._FALLBACK)
        return copyreg._reconstructor, (named, object, None), dict(self.__dict__)  # type: ignore[attr-defined]
