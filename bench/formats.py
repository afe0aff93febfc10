"""Ingest speed of documents and archives: PDF pages/s (text layer and OCR), WARC records/s.

Each figure goes through ``read_entry`` (the indexer's per-file path: read,
parse, clean), so it is what `newsdesk index` spends per file in one process.
Documents are generated (tests/documents.py). Median of ``--repeat`` runs.

    .venv/bin/python -m bench.formats [--pdf-pages 60] [--ocr-pages 3] [--warc-records 300] [--json FILE]

CPU seconds count this process and every process under it: PDFium reads each
PDF in a child of a fork server (index/ingest/formats/pdfchild.py), which
``os.times`` of this process never sees, so the server's own time and the time
of the children it reaped are added from /proc.
"""

from __future__ import annotations

import argparse
import json
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
    """CPU time of this process, its reaped children, and its live children with everything they reaped.

    The fork server is a live child that never exits during a run; the PDF readers it
    forks (and their Tesseracts) end up in its reaped-children time.
    """
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    return total + sum(_proc_cpu(pid) for pid in _live_children())


def _live_children() -> list[int]:
    try:
        tasks = Path(f"/proc/{os.getpid()}/task").iterdir()
        return [int(pid) for task in tasks for pid in (task / "children").read_text().split()]
    except OSError:  # not Linux: only this process's own figures
        return []


def _proc_cpu(pid: int) -> float:
    """utime + stime + cutime + cstime of a live process, in seconds (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def timed(path: Path, settings: ReaderSettings, repeat: int) -> tuple[float, int, float]:
    """Median seconds to read ``path``, how many articles it gave, and CPU seconds per read (printed too)."""
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
    cpu = (cpu_seconds() - cpu_before) / repeat
    print(f"  ({path.name}: {cpu:.2f} CPU s per read)")
    return statistics.median(timings), articles, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pdf-pages", type=int, default=60)
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument("--warc-records", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args()
    settings = ReaderSettings.from_config(IngestConfig())
    figures: dict[str, object] = {"load_before": os.getloadavg(), "cores": os.cpu_count(), "repeat": args.repeat}
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        pdf = root / "report.pdf"
        pages = [PARAGRAPHS[i % 5 :] + PARAGRAPHS[: i % 5] for i in range(args.pdf_pages)]
        pdf.write_bytes(make_pdf(PdfSpec(pages=pages, hyphenate=["timetable", "crossings"])))
        # The fork server starts once per indexing run (importing PDFium): not a per-file cost.
        read_entry(FileEntry(pdf.name, str(pdf), pdf.stat().st_size, pdf.stat().st_mtime_ns), settings)
        seconds, _, cpu = timed(pdf, settings, args.repeat)
        figures["pdf"] = {
            "pages": args.pdf_pages,
            "seconds": seconds,
            "pages_per_s": args.pdf_pages / seconds,
            "cpu_s": cpu,
        }
        print(f"PDF text layer: {args.pdf_pages / seconds:8.0f} pages/s ({args.pdf_pages} pages, {seconds:.2f} s)")
        if not args.ocr_pages:
            print("PDF OCR:        not measured (--ocr-pages 0)")
        elif shutil.which("tesseract"):
            scan = root / "scan.pdf"
            scan.write_bytes(make_scanned_pdf(PARAGRAPHS, pages=args.ocr_pages))
            seconds, _, cpu = timed(scan, settings, 1)
            figures["ocr"] = {
                "pages": args.ocr_pages,
                "seconds": seconds,
                "pages_per_s": args.ocr_pages / seconds,
                "cpu_s_per_page": cpu / args.ocr_pages,
            }
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
        seconds, articles, cpu = timed(warc, settings, args.repeat)
        assert articles == args.warc_records
        figures["warc"] = {
            "records": args.warc_records,
            "kb": warc.stat().st_size / 1024,
            "seconds": seconds,
            "records_per_s": args.warc_records / seconds,
            "cpu_s": cpu,
        }
        print(
            f"WARC (gzip):    {args.warc_records / seconds:8.0f} records/s ({args.warc_records} HTML records, "
            f"{warc.stat().st_size / 1024:.0f} KB, {seconds:.2f} s)"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    figures["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
