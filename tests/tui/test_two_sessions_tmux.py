"""Red team in a real terminal: a refused annotation save is seen, whatever was typed behind its Enter."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.tui.test_annotations_tmux import _burst
from tests.tui.test_e2e_tmux import newsdesk_in_tmux, pytestmark  # noqa: F401  (skips without tmux)

OTHER_SESSION = """
from pathlib import Path
from newsdesk.index import Config, Library
from newsdesk.index.locations import demo_corpus
with Library.open(demo_corpus(), state_dir=Path({state!r}), config=Config()) as library:
    (annotation,) = library.all_annotations()[0]
    library.edit_annotation(library.article(annotation.article_id), annotation.id, tags=["theirs"], note="their note")
"""


def test_esc_esc_q_typed_behind_a_refused_save_leaves_its_dialog_up(tmp_path: Path) -> None:
    """Another session of the same user changed the annotation while its edit dialog was open
    here; ",mine" Enter Esc Esc q in one burst: the reader quit (exit 0), the refusal and ",mine"
    unseen. The Esc typed behind Enter reached the closing dialog, the Alt-q pair a terminal makes
    of "Esc q" was dated when split, and q quit while the save was under way."""
    state = tmp_path / "index"
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(state), size=(120, 36)) as terminal:
        terminal.wait_for("indexed", timeout=180)
        terminal.wait_for("21 articles", timeout=60)
        terminal.press("Enter")
        time.sleep(1.0)
        _burst(terminal, "vstfirst", "Enter")
        deadline = time.monotonic() + 30
        while not list(state.glob("annotations/*/*.yaml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.5)  # the reader re-reads the file: its dialog now edits "first"
        _burst(terminal, "vst")
        terminal.wait_for("Edit annotation", timeout=30)
        program = textwrap.dedent(OTHER_SESSION.format(state=str(state)))
        subprocess.run([sys.executable, "-c", program], check=True, cwd=tmp_path)
        _burst(terminal, ",mine", "Enter", "Escape", "Escape", "q")
        shown = terminal.wait_for("changed in another session", timeout=30)
        time.sleep(1.0)
        shown = terminal.screen()
        assert "newsdesk-exited" not in shown and "Edit annotation (not saved" in shown
        terminal.press("Escape")  # what it shows was never saved: the first Esc asks
        terminal.wait_for("again discards", timeout=30)
        terminal.press("Escape")
        terminal.press("q")
        terminal.wait_for("newsdesk-exited-0", timeout=30)
