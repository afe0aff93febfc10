"""Text written into a document, message or archive comes out whole: all of Unicode, edges included."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.config import IngestConfig
from newsdesk.index.ingest.discover import FileEntry
from newsdesk.index.ingest.formats import ParseOptions, parse_file
from newsdesk.index.ingest.formats.archive import BoundedHashingReader
from newsdesk.index.ingest.reader import ReaderSettings, content_hash, read_entry

from tests.documents import make_email, make_mbox

CLEANER = ReaderSettings.from_config(IngestConfig()).cleaner
# Text a person could type: no controls, no surrogates, no private use; YAML-significant
# runs and the Unicode line breaks that the cleaner turns into newlines are included.
typed = (
    st.lists(
        st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), min_size=1, max_size=12)
        | st.sampled_from(["...", "---", "|", ">", "#", ": ", "\n", "\u2028", "\ufeff"]),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(lambda s: any(c.isalnum() for c in s))
)


def words(text: str) -> list[str]:
    return [w for w in text.split() if any(c.isalnum() for c in w)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed, typed)
def test_mail_subject_and_body_round_trip(subject: str, body: str) -> None:
    message = make_email(subject=" ".join(subject.split()) or "x", body=body)
    for name, data in (("x.eml", message.as_bytes()), ("x.mbox", make_mbox([message]))):
        [raw], _ = parse_file(Path(name), data, ParseOptions())
        article = CLEANER.article(raw, name, 0)
        assert article is not None
        assert words(article.title) == words(CLEANER.article(raw, name, 0).title)  # stable
        assert words(" ".join((subject or "x").split())) == words(raw.title or "")
        assert words(body) == words(raw.body)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(typed.filter(lambda s: all(c not in s for c in "\ufffe\uffff")), min_size=1, max_size=5))
def test_docx_paragraphs_round_trip(paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Title"
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    [raw], _ = parse_file(Path("x.docx"), out.getvalue(), ParseOptions())
    assert words(raw.body) == [w for p in paragraphs for w in words(p)]


@given(st.binary(max_size=5000), st.integers(0, 6000))
def test_archive_reads_only_the_size_found_and_hashes_it(data: bytes, found_size: int) -> None:
    """A file that grows while it is read: only the size discovery saw is read, and hashed like any file."""
    reader = BoundedHashingReader(io.BytesIO(data + b"appended later"), min(found_size, len(data)))
    read = io.BufferedReader(reader, 64).read()
    assert read == data[:found_size]
    assert reader.digest.hexdigest() == content_hash(data[:found_size])


def test_growing_mbox_reads_the_messages_present_when_found(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    first = make_mbox([make_email(subject="One")])
    path.write_bytes(first)
    stat = path.stat()
    with path.open("ab") as handle:  # a message arrives between discovery and reading
        handle.write(make_mbox([make_email(subject="Two")]))
    result = read_entry(
        FileEntry("inbox.mbox", str(path), stat.st_size, stat.st_mtime_ns), ReaderSettings.from_config(IngestConfig())
    )
    assert [a.title for a in result.articles] == ["One"]
    assert result.hash == content_hash(first)
