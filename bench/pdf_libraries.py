"""Which PDF library newsdesk uses: pypdf, pdfminer.six and pypdfium2 on generated PDFs.

Speed: pages per second extracting the text of a 40-page report (median of
``--repeat`` runs). Fidelity: how close each library's raw text is to the
words that were written (difflib ratio over the word sequence, so order
counts), for a plain report and for two columns written line by line across
the page (the worst content-stream order). Needs the test extras (fpdf2)
and all three libraries installed:

    .venv/bin/pip install pypdf pdfminer.six
    .venv/bin/python -m bench.pdf_libraries
"""

from __future__ import annotations

import argparse
import difflib
import io
import statistics
import time
from collections.abc import Callable

from tests.documents import PARAGRAPHS, PdfSpec, make_pdf


def with_pypdf(data: bytes) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def with_pdfminer(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return [
        "\n".join(element.get_text() for element in page if isinstance(element, LTTextContainer))
        for page in extract_pages(io.BytesIO(data))
    ]


def with_pypdfium2(data: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_bounded() for page in document]
    finally:
        document.close()


LIBRARIES: dict[str, Callable[[bytes], list[str]]] = {
    "pypdf": with_pypdf,
    "pdfminer.six": with_pdfminer,
    "pypdfium2": with_pypdfium2,
}


def fidelity(extracted: list[str], expected: list[list[str]]) -> float:
    """difflib ratio of the word sequences (furniture lines excluded from both)."""
    got = [w for page in extracted for w in page.split() if w not in {"Lakeside", "Gazette", "Confidential"}]
    want = [w for page in expected for p in page for w in p.split()]
    return difflib.SequenceMatcher(None, got, want, autojunk=False).ratio()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    report = [PARAGRAPHS[i % 5 : i % 5 + 3] for i in range(args.pages)]
    plain = make_pdf(PdfSpec(pages=report, footer=None, header=None))
    columns_pages = [PARAGRAPHS * 2 for _ in range(4)]
    columns = make_pdf(PdfSpec(pages=columns_pages, footer=None, header=None, two_columns_interleaved=True))
    print(f"{'library':<14}{'pages/s':>10}{'fidelity plain':>16}{'fidelity 2-col':>16}")
    for name, extract in LIBRARIES.items():
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            extract(plain)
            timings.append(time.perf_counter() - started)
        rate = args.pages / statistics.median(timings)
        print(
            f"{name:<14}{rate:>10.0f}{fidelity(extract(plain), report):>16.3f}"
            f"{fidelity(extract(columns), columns_pages):>16.3f}"
        )


if __name__ == "__main__":
    main()
