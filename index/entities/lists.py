"""The watchlist and the stoplist: the user's word over the extractor's.

Both are small YAML files a person can edit by hand; the app edits them too,
under a lock and with atomic writes, so a hand edit and an app edit never
interleave into a broken file.

watchlist.yaml::

    entities:
      - name: Vladimir Putin
        type: PERSON
        aliases: [Putin, Russian President]

stoplist.yaml::

    stoplist: [Reading Time, Getty Images]
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from filelock import FileLock
from newsdesk.index.atomic import write_atomic
from newsdesk.index.entities.model import ENTITY_TYPES, EntityType
from newsdesk.index.errors import ConfigError, UsageError
from newsdesk.index.safeyaml import YamlError, load_yaml


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """An entity the user cares about: always found, always under this name and type."""

    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class EntityLists:
    """The watchlist and stoplist in effect."""

    entries: list[WatchEntry] = field(default_factory=list)
    stop: frozenset[str] = frozenset()
    """Case-folded names never reported."""
    watched: dict[str, WatchEntry] = field(init=False)
    """Every watched surface form (names and aliases) to its entry."""
    _by_name: dict[str, WatchEntry] = field(init=False)

    def __post_init__(self) -> None:
        self.watched = {}
        for entry in self.entries:
            for form in (entry.name, *entry.aliases):
                self.watched.setdefault(form, entry)
        self._by_name = {form.casefold(): entry for form, entry in reversed(list(self.watched.items()))}

    @property
    def is_empty(self) -> bool:
        """Nothing watched and nothing stopped: :meth:`decide` keeps every name as it is."""
        return not self.stop and not self._by_name

    def alias_pattern(self) -> re.Pattern[str] | None:
        """One regex for every watched form, longest first, on word boundaries."""
        if not self.watched:
            return None
        forms = sorted(self.watched, key=len, reverse=True)
        return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w])")

    def decide(self, kind: EntityType, canonical: str, surface: str) -> tuple[EntityType, str] | None:
        """The (type, canonical name) to report for an extracted mention, or None to drop it."""
        if surface.casefold() in self.stop or canonical.casefold() in self.stop:
            return None
        entry = self._by_name.get(canonical.casefold()) or self._by_name.get(surface.casefold())
        if entry is not None:
            return entry.type, entry.name
        return kind, canonical

    def fingerprint(self) -> str:
        """Changes whenever the lists change what extraction gives."""
        data = [[e.name, e.type, list(e.aliases)] for e in self.entries], sorted(self.stop)
        return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:12]


def _read(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return load_yaml(text)
    except YamlError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _watch_entries(path: Path, data: object) -> list[WatchEntry]:
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("entities", []), list):
        raise ConfigError(f"{path}: expected 'entities:' followed by a list of entities")
    entries = []
    for number, item in enumerate(data.get("entities") or [], 1):
        where = f"{path}: entity {number}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a mapping with name, type and aliases")
        unknown = set(item) - {"name", "type", "aliases"}
        if unknown:
            raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: aliases, name, type)")
        name, kind, aliases = item.get("name"), item.get("type"), item.get("aliases") or []
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: 'name' must be a non-empty string")
        if kind not in ENTITY_TYPES:
            raise ConfigError(f"{where} ({name}): 'type' must be one of {', '.join(ENTITY_TYPES)}, got {kind!r}")
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ConfigError(f"{where} ({name}): 'aliases' must be a list of non-empty strings")
        entries.append(WatchEntry(name.strip(), kind, tuple(a.strip() for a in aliases)))
    return entries


def _stop_names(path: Path, data: object) -> frozenset[str]:
    if data is None:
        return frozenset()
    names = data.get("stoplist") if isinstance(data, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{path}: expected 'stoplist:' followed by a list of names")
    return frozenset(n.strip().casefold() for n in names if n.strip())


def load_lists(watchlist: Path, stoplist: Path) -> EntityLists:
    """Read both files; a missing file is an empty list, a broken one a one-line ConfigError."""
    return EntityLists(_watch_entries(watchlist, _read(watchlist)), _stop_names(stoplist, _read(stoplist)))


def _lock(path: Path) -> FileLock:
    return FileLock(str(path.with_name(path.name + ".lock")), timeout=10)


def add_to_watchlist(path: Path, name: str, kind: str, aliases: list[str]) -> WatchEntry:
    """Add an entity (or more aliases to one already watched) and rewrite the file atomically."""
    if kind not in ENTITY_TYPES:
        raise UsageError(f"entity type must be one of {', '.join(ENTITY_TYPES)}, got {kind!r}")
    if not name.strip():
        raise UsageError("an entity needs a name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path):
        entries = _watch_entries(path, _read(path))
        merged = WatchEntry(name.strip(), kind, tuple(a.strip() for a in aliases if a.strip()))
        for index, entry in enumerate(entries):
            if entry.name == merged.name and entry.type == merged.type:
                extra = tuple(a for a in merged.aliases if a not in entry.aliases)
                merged = entries[index] = WatchEntry(entry.name, entry.type, entry.aliases + extra)
                break
        else:
            entries.append(merged)
        body = {"entities": [{"name": e.name, "type": e.type, "aliases": list(e.aliases)} for e in entries]}
        header = "# Entities newsdesk always finds, under these names. See config.yaml (entities.watchlist).\n"
        write_atomic(path, header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False))
    return merged


def add_to_stoplist(path: Path, name: str) -> None:
    """Add a name the extractor must never report and rewrite the file atomically."""
    if not name.strip():
        raise UsageError("a stoplist entry needs a name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path):
        data = _read(path)
        _stop_names(path, data)  # refuse to rewrite a broken file
        names = list(data["stoplist"]) if isinstance(data, dict) else []
        if name.strip().casefold() not in {n.casefold() for n in names}:
            names.append(name.strip())
        header = "# Names newsdesk never reports as entities (case-insensitive). See config.yaml.\n"
        write_atomic(path, header + yaml.safe_dump({"stoplist": names}, allow_unicode=True, sort_keys=False))
