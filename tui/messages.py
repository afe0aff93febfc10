"""The one message every widget with workers sends up: a worker failed.

Textual posts ``Worker.StateChanged`` to the widget that started the worker and
does not bubble it, so each such widget forwards a failure as
:class:`WorkerFailed`, and the main screen shows them all in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState


@dataclass
class WorkerFailed(Message):
    """A worker of ``group`` ended with an exception (shown, never a crash)."""

    group: str
    error: str


def forward_worker_failure(node: MessagePump, event: Worker.StateChanged) -> bool:
    """Post :class:`WorkerFailed` from ``node`` when ``event`` says a worker failed; True if it did."""
    if event.state != WorkerState.ERROR:
        return False
    node.post_message(WorkerFailed(event.worker.group, str(event.worker.error)))
    return True
