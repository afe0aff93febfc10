"""What indexing word pairs would cost, by which pairs: counted on a sample of a corpus, no index built.

    python -m bench.pair_shares CORPUS [--sample 3000] [--out FILE]

For each share s, the common terms are those in at least s of the sampled articles
(``index.engine.hidden_fields.common_terms``); a pair is indexed when both its words are
common ("both", what newsdesk does) or when either is ("either", Lucene's CommonGrams).
Reports each rule's pair postings and distinct pair terms as multiples of the
articles' own term postings and distinct terms, and every pair ("all",
Elasticsearch's ``index_phrases``). Distinct terms are what made the all-pairs index
large: most pairs of a rare word occur once.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

from newsdesk.index.engine.terms import iter_terms

SHARES = (0.05, 0.1, 0.2, 0.3, 0.5, 0.9)


def measure(texts: list[str]) -> dict[str, Any]:
    docs = [[term for term, _, _ in iter_terms(text)] for text in texts]
    frequency: Counter[str] = Counter()
    for terms in docs:
        frequency.update(set(terms))
    postings = sum(len(set(terms)) for terms in docs)
    found: dict[str, Any] = {"articles": len(docs), "term_postings": postings, "terms": len(frequency)}

    def cost(keep: Any) -> dict[str, float]:
        distinct: set[tuple[str, str]] = set()
        pair_postings = 0
        for terms in docs:
            pairs = {pair for pair in itertools.pairwise(terms) if keep(*pair)}
            pair_postings += len(pairs)
            distinct |= pairs
        return {"postings_x": round(pair_postings / postings, 2), "terms_x": round(len(distinct) / len(frequency), 2)}

    found["all"] = cost(lambda a, b: True)
    for share in SHARES:
        common = {term for term, count in frequency.items() if count >= share * len(docs)}
        tokens = sum(term in common for terms in docs for term in terms) / max(sum(map(len, docs)), 1)
        found[f"share_{share}"] = {
            "common_terms": len(common),
            "token_share": round(tokens, 2),
            "both": cost(lambda a, b, c=common: a in c and b in c),
            "either": cost(lambda a, b, c=common: a in c or b in c),
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    files = sorted(args.corpus.rglob("*.txt"))[: args.sample]
    text = json.dumps(measure([path.read_text(encoding="utf-8") for path in files]), indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
