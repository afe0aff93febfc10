"""``Part``: a screen's (or container's) attribute that finds the one widget of a type in it, to route to it."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.dom import DOMNode
from textual.widget import Widget

W = TypeVar("W", bound=Widget)


class Part(Generic[W]):
    """``results = Part(ResultsPane)`` on a screen: ``screen.results`` is ``screen.query_one(ResultsPane)``.

    Looked up on each use rather than kept: a reference held from compose would outlive a
    widget that is replaced, and the lookup is a walk of a few dozen nodes.
    """

    def __init__(self, kind: type[W]) -> None:
        self.kind = kind

    def __get__(self, node: DOMNode | None, owner: type | None = None) -> W:
        if node is None:
            raise AttributeError(f"Part({self.kind.__name__}) is read on a mounted node, not on its class")
        return node.query_one(self.kind)
