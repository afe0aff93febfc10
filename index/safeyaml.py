"""YAML loading that a hostile file cannot abuse.

``yaml.safe_load`` never executes code, but it still expands aliases (a
"billion laughs" file takes minutes and gigabytes) and recurses without bound.
Every YAML file newsdesk reads - config, front matter, watchlists, annotations -
goes through :func:`load_yaml`, which scans the event stream first and refuses
aliases, deep nesting and oversized input before building any object.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64


class YamlError(ValueError):
    """The YAML text is malformed or refused; ``str()`` is a one-line reason."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line else reason)


def _line_of(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, max_bytes: int = MAX_YAML_BYTES, max_depth: int = MAX_DEPTH, fast: bool = False) -> Any:
    """Parse ``text`` as YAML with the safe loader, after refusing abuse.

    ``fast`` uses libyaml's safe loader where PyYAML has it (annotation files,
    read on every save); its error wording can differ from the Python one.
    """
    if len(text) > max_bytes:
        raise YamlError(f"file is larger than {max_bytes // 1024} KB")
    loader = _FAST_LOADER if fast else yaml.SafeLoader
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise YamlError("aliases (*name) are not allowed", _line_of(event.start_mark))
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > max_depth:
                    raise YamlError(
                        f"nested deeper than {max_depth} levels",
                        _line_of(event.start_mark),
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.load(text, Loader=loader)  # a safe loader (C or Python), never the full one
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(problem, _line_of(exc.problem_mark)) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0]) from None
