"""Format parsers: bytes of one file in, raw articles out.

Each parser module exposes ``parse(text: str, path: Path, options: ParseOptions)
-> list[RawArticle]`` and raises :class:`index.errors.IngestError` with a one-line
reason when the file cannot be understood. ``parse_file`` picks the parser by file
extension and decodes the bytes first.
"""
