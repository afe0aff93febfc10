"""Red team on ``newsdesk serve``: paths, tokens, hostile requests and tabs."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsdesk.tui.cli import main


def test_a_nosuchuser_path_in_serve_options_is_one_line_or_taken_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    """`serve --token-file '~nosuchuser/t'` (and `--state-dir '~nosuchuser/s'`) ended in a
    RuntimeError traceback from pathlib's expanduser; the rest of newsdesk takes such a path
    as written (a folder named `~nosuchuser` here), and so must serve."""
    from newsdesk.tui.web.server import NewsdeskServer

    started: list[NewsdeskServer] = []
    monkeypatch.setattr(NewsdeskServer, "serve", lambda self, debug=False: started.append(self))
    monkeypatch.chdir(tmp_path)
    assert main(["serve", str(corpus), "--state-dir", "s", "--token-file", "~nosuchuser/token"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsdesk: error: ~nosuchuser/token: cannot create the token file") and err.count("\n") == 1
    assert main(["serve", str(corpus), "--state-dir", "~nosuchuser/s", "--config", "~nosuchuser/c.yaml"]) == 2
    assert "config file not found" in capsys.readouterr().err
    assert main(["serve", str(corpus), "--state-dir", "~nosuchuser/s"]) == 0
    (server,) = started
    assert server.reader_argv[-2:] == ["--state-dir", str(tmp_path / "~nosuchuser" / "s")]
    (tmp_path / "~nosuchuser").mkdir(exist_ok=True)
    assert main(["serve", str(corpus), "--state-dir", "s", "--token-file", "~nosuchuser/token"]) == 0
    assert (tmp_path / "~nosuchuser" / "token").stat().st_mode & 0o777 == 0o600
