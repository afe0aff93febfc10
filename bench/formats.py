"""Ingest speed of documents and archives: PDF pages/s (text layer and OCR), WARC records/s.

Each figure goes through ``read_entry`` (the indexer's per-file path: read,
parse, clean), so it is what `newsdesk index` spends per file in one process.
Documents are generated (tests/documents.py). Median of ``--repeat`` runs.

    .venv/bin/python -m bench.formats [--pdf-pages 60] [--ocr-pages 3] [--warc-records 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from newsdesk.index.config import IngestConfig
from newsdesk.index.ingest.discover import FileEntry
from newsdesk.index.ingest.reader import ReaderSettings, read_entry

from tests.documents import PARAGRAPHS, PdfSpec, html_page, make_pdf, make_scanned_pdf, make_warc


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract) so far."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(path: Path, settings: ReaderSettings, repeat: int) -> tuple[float, int]:
    """Median seconds to read ``path``, and how many articles it gave; prints the CPU seconds too."""
    stat = path.stat()
    entry = FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns)
    timings = []
    articles = 0
    cpu_before = cpu_seconds()
    for _ in range(repeat):
        started = time.perf_counter()
        result = read_entry(entry, settings)
        timings.append(time.perf_counter() - started)
        assert result.skipped is None, result.skipped
        articles = len(result.articles)
    print(f"  ({path.name}: {(cpu_seconds() - cpu_before) / repeat:.2f} CPU s per read)")
    return statistics.median(timings), articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pdf-pages", type=int, default=60)
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument("--warc-records", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = ReaderSettings.from_config(IngestConfig())
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        pdf = root / "report.pdf"
        pages = [PARAGRAPHS[i % 5 :] + PARAGRAPHS[: i % 5] for i in range(args.pdf_pages)]
        pdf.write_bytes(make_pdf(PdfSpec(pages=pages, hyphenate=["timetable", "crossings"])))
        seconds, _ = timed(pdf, settings, args.repeat)
        print(f"PDF text layer: {args.pdf_pages / seconds:8.0f} pages/s ({args.pdf_pages} pages, {seconds:.2f} s)")
        if shutil.which("tesseract") and args.ocr_pages:
            scan = root / "scan.pdf"
            scan.write_bytes(make_scanned_pdf(PARAGRAPHS, pages=args.ocr_pages))
            seconds, _ = timed(scan, settings, 1)
            print(f"PDF OCR:        {args.ocr_pages / seconds:8.2f} pages/s ({args.ocr_pages} pages, {seconds:.2f} s)")
        else:
            print("PDF OCR:        not measured (tesseract is not installed)")
        records = [
            (
                f"https://example.org/story/{n}",
                "2021-03-04T09:00:00Z",
                html_page(f"Story number {n}", PARAGRAPHS[n % 5 :] + PARAGRAPHS).encode(),
                "text/html",
            )
            for n in range(args.warc_records)
        ]
        warc = root / "crawl.warc.gz"
        warc.write_bytes(make_warc(records))
        seconds, articles = timed(warc, settings, args.repeat)
        assert articles == args.warc_records
        print(
            f"WARC (gzip):    {args.warc_records / seconds:8.0f} records/s ({args.warc_records} HTML records, "
            f"{warc.stat().st_size / 1024:.0f} KB, {seconds:.2f} s)"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
