"""OCR of one PDF page with the Tesseract program (run as a subprocess, with a timeout)."""

from __future__ import annotations

import math
import os
import subprocess
from typing import Any

from newsdesk.index.ingest.formats import ParseOptions

# Scans are rendered at 300 dpi (Tesseract's sweet spot), but never past this many
# pixels: a page declared a metre wide must not become a multi-gigabyte bitmap.
RENDER_DPI = 300
MAX_PIXELS = 40_000_000


# One thread per Tesseract: its OpenMP threads fight the ingest workers (one per core) and,
# on a shared server, everyone else; single-threaded it is faster in total.
_TESSERACT_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class OcrUnavailable(Exception):
    """OCR cannot run at all (no Tesseract, a missing language): said once per file."""


def ocr_page(page: Any, options: ParseOptions) -> list[str]:
    """The text lines Tesseract reads on ``page`` (a pypdfium2 page); blank lines between paragraphs."""
    program = options.ocr_program
    if program is None:
        raise OcrUnavailable("Tesseract is not installed (install tesseract-ocr, or set ingest.ocr: off)")
    image = _render_pgm(page)
    if image is None:
        return []
    command = [program, "stdin", "stdout", "-l", "+".join(options.ocr_languages), "--psm", "3"]
    try:
        done = subprocess.run(
            command, input=image, capture_output=True, timeout=options.ocr_timeout, check=False, env=_TESSERACT_ENV
        )
    except subprocess.TimeoutExpired:
        return []
    except OSError as exc:
        raise OcrUnavailable(f"cannot run Tesseract: {exc.strerror or exc}") from None
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = next((line for line in error if "Failed loading language" in line), None)
        if message is not None:
            raise OcrUnavailable(f"Tesseract: {message.strip()} (ingest.ocr_languages)")
        return []
    return done.stdout.decode("utf-8", "replace").replace("\f", "").split("\n")


def _render_pgm(page: Any) -> bytes | None:
    """The page as an 8-bit greyscale PGM image, the simplest format Tesseract reads from stdin."""
    width, height = page.get_size()
    if width <= 0 or height <= 0:
        return None
    scale = min(RENDER_DPI / 72, math.sqrt(MAX_PIXELS / (width * height)))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        columns, rows, stride = bitmap.width, bitmap.height, bitmap.stride
        if columns <= 0 or rows <= 0:
            return None
        buffer = bytes(bitmap.buffer)
        channels = stride // columns if columns else 1
        header = f"P5\n{columns} {rows}\n255\n".encode("ascii")
        if channels == 1:
            pixels = b"".join(buffer[r * stride : r * stride + columns] for r in range(rows))
        else:  # PDFium gave BGR(x) despite grayscale: keep one channel (all equal for grey)
            pixels = b"".join(buffer[r * stride : r * stride + columns * channels : channels] for r in range(rows))
        return header + pixels
    finally:
        bitmap.close()
