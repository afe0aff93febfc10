"""Write a Whoosh segment straight through the codec, without Whoosh's posting pool.

Whoosh's ``SegmentWriter`` turns every posting into a Python tuple, sorts them
in a pool, spills them to run files past its memory limit, heap-merges the runs
and then feeds the codec one posting at a time, reading each document's field
length back from disk per posting. A py-spy profile of a 20k-article build put
about two thirds of the writer processes' time there (docs/performance.md).

:class:`DirectSegmentWriter` keeps the positional fields' words as token streams
(index/engine/tokenstream.py: a term id and a position a word, grouped into posting
lists by one stable sort when written), the presence fields' document ids per term,
and every other field's postings per term in columns (ids, weights, value sizes, one
value buffer), which arrive already in document order. Past its memory limit it writes
those columns, term by term, to a run file;
closing the segment merges the runs term by term and encodes each posting list
as whoosh3's own block writer does (``W3PostingsWriter._write_block``;
index/engine/blockencoder.py), so the
segment is the one Whoosh's writer would have written for the same documents
(tests/test_direct_writer.py compares the files byte for byte, except the blocks
of positional fields, pickled at a newer protocol and compared value for value). Everything else
per document (stored fields, columns, field lengths) goes through the codec's
per-document writer exactly as ``SegmentWriter.add_document`` does.

It handles every field type and posting format; only term vectors and separate
spelling fields (neither in newsdesk's schema) are refused by :func:`supports`.
Fields whose format is ``FastPositions``, or presence-only with a ``term_set``
(the prefix fields: ~400 postings an article), skip ``FieldType.index``'s tuple per
posting; every other field goes through it.
"""

from __future__ import annotations

from array import array
from collections import defaultdict, deque
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter, methodcaller
from typing import Any

from newsdesk.index.engine.blockencoder import Entry, TermEncoder
from newsdesk.index.engine.freqfile import FreqFileWriter
from newsdesk.index.engine.runfiles import RunFiles
from newsdesk.index.engine.schema import FastPositions
from newsdesk.index.engine.tokenstream import TERM_BYTES, TOKEN_BYTES, TokenStream
from whoosh.fields import FieldType, Schema, UnknownFieldError
from whoosh.formats import Existence
from whoosh.util.numeric import length_to_byte

_POSTING_BYTES = 24
"""Memory per buffered posting besides its value bytes: an id (4), a weight (8), a size (4), slack."""
_PRESENCE_BYTES = 16
"""Memory per buffered presence-only posting: its id (4), and a weight and size while it goes to a run."""
_TERM_BYTES = 400
"""Memory per buffered term: its dict slot, key and four growing arrays."""


def supports(schema: Schema) -> bool:
    """True when every field can be written here (no term vectors, no separate spelling field)."""
    return not any(field.vector or field.separate_spelling() for _, field in schema.items())


class DirectSegmentWriter(RunFiles):
    """Builds one new segment of ``ix`` from added documents; :meth:`finish` writes it.

    ``limitmb`` bounds the buffered postings: past it they go to a run file in
    the index's temporary storage, so memory stays flat however many documents
    the segment gets.
    """

    def __init__(self, ix: Any, limitmb: int = 128, codec: Any = None, **_ignored: Any) -> None:
        if codec is None:
            from whoosh.codec import default_codec

            codec = default_codec()
        self.codec = codec
        self.storage = ix.storage
        self.indexname = ix.indexname
        self.schema: Schema = ix._read_toc().schema
        if not supports(self.schema):
            raise ValueError("term vectors and separate spelling fields need Whoosh's own writer")
        self.segment = codec.new_segment(self.storage, self.indexname)
        self.perdoc = codec.per_document_writer(self.storage, self.segment)
        self._temp = self.storage.temp_storage(f"{self.indexname}.tmp")
        self._limit = limitmb * 1024 * 1024
        self._postings: dict[str, dict[bytes, Entry]] = {}
        self._lengths: dict[str, bytearray] = {}
        """Per scorable field, each document's length byte (0: none), as the lengths column holds it."""
        self._buffered = 0
        self._fast = {name: field.format for name, field in self.schema.items() if _fast_field(field)}
        """Fields whose words go from ``format.term_stream`` into a TokenStream (terms are str, not bytes)."""
        self._presence = {name: field.format for name, field in self.schema.items() if _presence_field(field)}
        """Presence-only fields whose terms come from ``format.term_set``: only document ids are buffered."""
        self._streams: dict[str, TokenStream] = {}
        """Per positional field (``_fast``), its words since the last run, grouped into postings when written."""
        self._present: dict[str, defaultdict[str, array]] = {}
        """Per presence field, each term's document ids (the weights and empty values are made when written)."""
        self._doc_weights: dict[str, array] = {}
        """Per presence field, each document's posting weight, kept once one is not 1.0 (a boost)."""
        self._runs: list[str] = []
        self._made: set[str] = set()
        """Every run file this writer began, so :meth:`cancel` finds those a failed merge left."""
        self.docnum = 0
        self.fieldnames: set[str] = set()
        self._boosted: set[str] = set()

    # -- documents ------------------------------------------------------------------
    def add_document(self, **fields: Any) -> None:
        """Add one document: the same fields and ``_boost`` keywords as ``SegmentWriter.add_document``.

        A document that raises stops the build: its caller cancels the whole segment.
        """
        schema = self.schema
        perdoc = self.perdoc
        docnum = self.docnum
        docboost = float(fields["_boost"]) if "_boost" in fields else 1.0
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        for name in fieldnames:
            if name not in schema:
                raise UnknownFieldError(f"No field named {name!r} in {schema}")
        buffered = 0
        perdoc.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boostkw = f"_{fieldname}_boost"
                    fieldboost = float(fields[boostkw]) if boostkw in fields else docboost
                    if fieldboost != 1.0:
                        self._boosted.add(fieldname)  # its weights no longer give the frequency: no .frq lists
                    length, size = self._index_field(fieldname, field, value, docnum, fieldboost)
                    buffered += size
                customval = fields.get(f"_stored_{fieldname}", value)
                perdoc.add_field(fieldname, field, customval if field.stored else None, length)
                if length:
                    lengths = self._lengths.get(fieldname)
                    if lengths is None:
                        lengths = self._lengths[fieldname] = bytearray()
                    if len(lengths) <= docnum:
                        lengths.extend(bytes(docnum + 1 - len(lengths)))
                    lengths[docnum] = length_to_byte(length)
                column = field.column_type
                if column and customval is not None:
                    perdoc.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self.docnum += 1
        self._buffered += buffered
        if self._buffered > self._limit:
            self._spill()

    def _index_field(self, fieldname: str, field: Any, value: Any, docnum: int, fieldboost: float) -> tuple[int, int]:
        """Buffer one field's postings of document ``docnum``; returns its length (0: not scorable) and their memory."""
        presence = self._presence.get(fieldname)
        if presence is not None:
            return self._add_present(fieldname, field, presence, value, docnum, fieldboost)
        self.fieldnames.add(fieldname)
        scorable = field.scorable
        length = buffered = 0
        fmt = self._fast.get(fieldname)
        if fmt is not None:  # FieldType.index over FastPositions.word_values, grouped when written
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not unicode or sequence")
            words, starts = fmt.term_stream(value)
            stream = self._streams.get(fieldname)
            if stream is None:
                stream = self._streams[fieldname] = TokenStream(explicit=starts is not None)
            fresh = stream.add(docnum, words, starts, fieldboost)
            return (len(words) if scorable else 0), fresh * TERM_BYTES + len(words) * TOKEN_BYTES
        terms = self._postings.get(fieldname)
        if terms is None:
            terms = self._postings[fieldname] = {}
        for tbytes, freq, weight, vbytes in field.index(value):
            if scorable:
                length += freq
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("d"), array("I"), bytearray())
                buffered += _TERM_BYTES
            entry[0].append(docnum)
            entry[1].append(weight * fieldboost)
            entry[2].append(len(vbytes))
            entry[3].extend(vbytes)
            buffered += _POSTING_BYTES + len(vbytes)
        return length, buffered

    def _add_present(
        self, fieldname: str, field: Any, fmt: Any, value: Any, docnum: int, fieldboost: float
    ) -> tuple[int, int]:
        """A presence-only field (FieldType.index over ``fmt.word_values``): one id appended per term, in C.

        Each posting's weight is the format's boost times the field boost (freq 1), the
        same for every term of the document, so it is kept once per document, and only
        once a document's is not 1.0; values are empty. :meth:`_sorted_entries` makes
        the four columns of the other fields from these when they are written.
        """
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not unicode or sequence")
        terms = self._present.get(fieldname)
        if terms is None:
            terms = self._present[fieldname] = defaultdict(_new_ids)
            self.fieldnames.add(fieldname)
        found = fmt.term_set(value)
        before = len(terms)
        deque(map(methodcaller("append", docnum), map(terms.__getitem__, found)), 0)
        weight = fmt.field_boost * fieldboost  # FieldType.index's weight times the field boost, in that order
        weights = self._doc_weights.get(fieldname)
        if weights is not None or weight != 1.0:
            if weights is None:
                weights = self._doc_weights[fieldname] = array("d")
            if len(weights) < docnum:
                weights.extend(_ONES * (docnum - len(weights)))
            weights.append(weight)
        length = len(found) if field.scorable else 0  # each term's freq is 1
        return length, (len(terms) - before) * _TERM_BYTES + len(found) * _PRESENCE_BYTES

    def doc_count(self) -> int:
        return self.docnum

    # -- runs ---------------------------------------------------------------------------
    def _sorted_entries(self) -> Iterator[tuple[str, bytes, Entry]]:
        """The buffered postings in (field, term) order, each let go as it is taken.

        Closing the segment merges these with the run files: without letting go, the
        whole buffer (``limitmb`` and more) stayed held until the last term was written,
        on top of everything the merge itself holds.
        """
        postings, present, streams = self._postings, self._present, self._streams
        for fieldname in sorted(postings.keys() | present.keys() | streams.keys()):
            if fieldname in streams:
                boost = self._fast[fieldname].field_boost
                for term, entry in streams.pop(fieldname).entries(boost):
                    yield fieldname, term, entry
                continue
            if fieldname in present:
                yield from self._present_entries(fieldname, present.pop(fieldname))
                continue
            terms = postings.pop(fieldname)
            for btext in sorted(terms):
                yield fieldname, btext, terms.pop(btext)

    def _present_entries(self, fieldname: str, terms: dict[str, array]) -> Iterator[tuple[str, Any, Entry]]:
        """A presence field's terms with the columns of the other fields: weights, sizes of 0, no values."""
        weights = self._doc_weights.get(fieldname)
        for term in sorted(terms):
            ids = terms.pop(term)
            count = len(ids)
            made = array("d", map(weights.__getitem__, ids)) if weights is not None else _ONES * count
            yield fieldname, term, (ids, made, _ZEROS * count, bytearray())

    def _spill(self) -> None:
        self._runs.append(self._write_run(self._sorted_entries()))
        self._postings = {}
        self._present = {}
        self._streams = {}
        self._buffered = 0

    def _merged(self) -> Iterator[tuple[str, bytes, Entry]]:
        """Every term's whole posting list in (field, term) order, runs and memory merged."""
        memory = self._sorted_entries()
        if not self._runs:
            yield from memory
            return
        self._reduce_runs()
        # memory added last, so its documents come last within a term
        yield from self._merge([*map(self._read_run, self._runs), memory])

    # -- the segment ------------------------------------------------------------------------
    def finish(self) -> Any:
        """Write the postings and close the segment's files; returns the segment (not yet in any TOC)."""
        self.perdoc.close()
        fieldwriter = self.codec.field_writer(self.storage, self.segment)
        postings = self.codec.postings_writer(fieldwriter._postfile)
        frequencies = FreqFileWriter(self.storage, self.segment)
        try:
            for fieldname, entries in groupby(self._merged(), key=itemgetter(0)):
                field = self.schema[fieldname]
                fieldwriter.start_field(fieldname, field)
                lengths = self._lengths.get(fieldname)
                if lengths is not None and len(lengths) < self.docnum:
                    lengths.extend(bytes(self.docnum - len(lengths)))
                encoder = TermEncoder(fieldwriter, postings, field.format.fixed_value_size(), lengths)
                # Positional fields (their frequency is otherwise inside each posting's positions, and
                # their values give phrases positions as arrays) and presence fields (the prefixes: a
                # prefix most articles share is one array read, not a block decoded per 1,024 postings).
                fmt = self._fast.get(fieldname) or self._presence.get(fieldname)
                kept = fmt is not None and fieldname not in self._boosted
                boost = fmt.field_boost if fmt is not None and kept else 1.0
                positional = fieldname in self._fast
                for _, term, entry in entries:
                    btext = term if isinstance(term, bytes) else term.encode("utf-8")
                    encoder.write(btext, entry)
                    if kept:
                        frequencies.add(fieldname, btext, entry[0], entry[1], boost, entry[3] if positional else None)
                fieldwriter.finish_field()
            fieldwriter.close()
            self._postings = {}
            self._present = {}
            self._streams = {}
            segment = self.segment
            segment.set_doc_count(self.docnum)
            if segment.should_assemble():
                segment.create_compound_file(self.storage)
                segment.compound = True
            # After assembling: a file of its own, read through the segment reader's overlay storage.
            frequencies.finish()
        except BaseException:
            frequencies.cancel()
            raise
        return segment

    def cancel(self) -> None:
        """Drop the buffered postings and the run files (the caller removes the segment's files)."""
        self._postings = {}
        self._present = {}
        self._streams = {}
        for name in self._made:
            if self._temp.file_exists(name):
                self._temp.delete_file(name)
        self._runs = []
        if not self.perdoc.is_closed:
            self.perdoc.close()


_ONES = array("d", [1.0])
_ZEROS = array("I", [0])


def _new_ids() -> array:
    return array("I")


def _presence_field(field: Any) -> bool:
    """True when ``field.index`` is exactly FieldType.index over a presence-only format with ``term_set``."""
    fmt = getattr(field, "format", None)
    return (
        type(field).index is FieldType.index and isinstance(fmt, Existence) and callable(getattr(fmt, "term_set", None))
    )


def _fast_field(field: Any) -> bool:
    """True when ``field.index`` is exactly FieldType.index over a format with ``term_stream`` (FastPositions)."""
    return type(field).index is FieldType.index and isinstance(getattr(field, "format", None), FastPositions)


class DirectIndexWriter:
    """A one-process writer for a new index: one direct segment, committed as the index's only new one.

    Has the part of Whoosh's writer interface a full build uses (``add_document``,
    ``commit``, ``cancel``); existing segments are kept as they are.
    """

    def __init__(self, ix: Any, limitmb: int = 128, codec: Any = None) -> None:
        self.ix = ix
        self.lock = ix.lock("WRITELOCK")
        if not self.lock.acquire(False):
            from whoosh.index import LockError

            raise LockError
        self.closed = False
        try:
            self.writer = DirectSegmentWriter(ix, limitmb=limitmb, codec=codec)
        except BaseException:
            self.lock.release()
            raise

    def add_document(self, **fields: Any) -> None:
        self.writer.add_document(**fields)

    def delete_by_term(self, fieldname: str, text: str) -> object:
        raise NotImplementedError("a direct writer only adds documents to a new segment")

    def commit(self) -> None:
        from whoosh.index import TOC, clean_files

        try:
            info = self.ix._read_toc()
            segments = list(info.segments)
            if self.writer.docnum:
                segments.append(self.writer.finish())
            else:
                self.writer.cancel()
            toc = TOC(self.writer.schema, segments, info.generation + 1)
            toc.write(self.ix.storage, self.ix.indexname)
            clean_files(self.ix.storage, self.ix.indexname, info.generation + 1, segments)
        except BaseException:
            self.writer.cancel()  # its run files: the temporary folder cannot go while they are in it
            raise
        finally:
            self._finish()

    def cancel(self) -> None:
        if self.closed:  # a failed commit has cleaned up already; its caller still cancels
            return
        try:
            self.writer.cancel()
        finally:
            self._finish()

    def _finish(self) -> None:
        self.closed = True
        try:
            self.writer._temp.destroy()
        finally:
            self.lock.release()


__all__ = ["DirectIndexWriter", "DirectSegmentWriter", "supports"]
