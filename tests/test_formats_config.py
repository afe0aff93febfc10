"""The ingest keys for documents and archives: validated, and reaching the parsers."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsdesk.index.config import IngestConfig, load_config
from newsdesk.index.errors import ConfigError
from newsdesk.index.ingest.reader import ReaderSettings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ingest:\n  ocr: yes please\n", "ingest.ocr: expected one of 'auto', 'off'"),
        ("ingest:\n  ocr: on\n", "ingest.ocr: expected one of 'auto', 'off'"),
        ("ingest:\n  ocr_languages: ['eng; rm -rf']\n", "is not a Tesseract language name"),
        ("ingest:\n  ocr_languages: [-l]\n", "is not a Tesseract language name"),
        ("ingest:\n  ocr_timeout_seconds: 0\n", "ingest.ocr_timeout_seconds: must be greater than 0"),
        ("ingest:\n  max_expanded_mb: -1\n", "ingest.max_expanded_mb: must be greater than 0"),
        ("ingest:\n  max_expansion_ratio: 0\n", "ingest.max_expansion_ratio: must be greater than 0"),
        ("ingest:\n  max_archive_mb: 0\n", "ingest.max_archive_mb: must be greater than 0"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_settings_reach_the_parsers(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "ingest:\n  ocr: off\n  ocr_languages: [eng, deu]\n  ocr_timeout_seconds: 5\n"
        "  max_file_mb: 2\n  max_archive_mb: 10\n  max_expanded_mb: 3\n  max_expansion_ratio: 50\n"
    )
    settings = ReaderSettings.from_config(load_config(path).ingest)
    options = settings.parse_options
    assert (options.ocr, options.ocr_languages, options.ocr_timeout) == (False, ("eng", "deu"), 5.0)
    assert options.max_item_bytes == 2 * 1024 * 1024 and settings.max_archive_bytes == 10 * 1024 * 1024
    assert (options.max_expanded_bytes, options.max_expansion_ratio) == (3 * 1024 * 1024, 50.0)
    assert ReaderSettings.from_config(IngestConfig()).parse_options.ocr is True


def test_quoted_off_is_off_too(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("ingest:\n  ocr: 'off'\n")
    assert ReaderSettings.from_config(load_config(path).ingest).parse_options.ocr is False
