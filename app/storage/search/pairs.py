"""Common-word pairs: phrases of very common words answered from one indexed term instead of positions.

A phrase query checks word positions in every article that holds all its words. For two words that each
occur in most articles (at a million articles, hundreds of thousands of candidates) that check is the whole
cost, and no top-k pruning applies to it. Like Lucene's CommonGrams filter, the index therefore also stores
each adjacent pair of *common* words as a single term ("of_the"), so `"of the"` is a term query — ranked with
BM25 and pruned like any word — and a longer phrase only checks positions in articles holding all its pairs.

Which words are common is learned per index generation from a sample of the table (`learn`), and kept beside
the index: the same list decides which pairs a document gets and which a query may use, so a pair query
matches exactly the articles the positional phrase matches. A pair is indexed when the product of its words'
shares of articles reaches `MIN_PRODUCT`: below that, the positional check has few candidates and is cheap.
"""

import itertools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

from app.storage.search.schema import ANALYZER, analyze

# Pairs whose words' shares multiply to less than this leave at most that share of the archive for the
# positional check (3 %: ~30,000 candidates at a million articles, ~20 ms).
MIN_PRODUCT = 0.03
# Fewer sampled articles than this say little about which words are common: no pairs until there are more.
MIN_SAMPLE = 1_000
SAMPLE = 5_000
JOIN = "_"  # never inside a term: the tokenizer splits text on everything that is not a letter or digit
# The tokenizer alone: the index's positions are those of these tokens, including ones its filters drop.
_TOKENS = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build()
_CACHE_LIMIT = 500_000


@dataclass
class CommonWords:
    """The common words of one index generation: term → share of the sampled articles that contain it."""

    shares: dict[str, float]
    table_size: int = 0  # articles in the table when learned; the follower relearns when it has grown tenfold
    _terms: dict[str, str] = field(default_factory=dict, repr=False)  # token → common term, or ""

    @classmethod
    def learn(
        cls, texts: Iterable[Iterable[str | None]], *, table_size: int, min_sample: int = MIN_SAMPLE
    ) -> "CommonWords":
        """Learn from the text fields of sampled articles (one iterable of texts per article)."""
        counts: Counter[str] = Counter()
        sampled = 0
        for article in texts:
            counts.update({term for text in article if text for term in analyze(text)})
            sampled += 1
        if sampled < min_sample:
            return cls({}, table_size)
        shares = {term: n / sampled for term, n in counts.items() if n / sampled >= MIN_PRODUCT}
        return cls(shares, table_size)

    def pair(self, first: str, second: str) -> str | None:
        """The indexed term of two adjacent index terms, or None when that pair is not indexed."""
        a, b = self.shares.get(first), self.shares.get(second)
        return f"{first}{JOIN}{second}" if a and b and a * b >= MIN_PRODUCT else None

    def pairs(self, text: str) -> str:
        """The pair terms of `text`, space-separated (the pair fields split on spaces only)."""
        if not self.shares:
            return ""
        tokens = _TOKENS.analyze(text)
        terms = self._terms
        for token in set(tokens).difference(terms):
            if len(terms) >= _CACHE_LIMIT:
                terms.clear()
            # A token the index drops (too long) gets "" too: it still stands between its neighbours.
            term = ANALYZER.analyze(token)
            terms[token] = term[0] if len(term) == 1 and term[0] in self.shares else ""
        common = [terms[t] for t in tokens]
        shares = self.shares
        return " ".join(
            f"{a}{JOIN}{b}" for a, b in itertools.pairwise(common) if a and b and shares[a] * shares[b] >= MIN_PRODUCT
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"table_size": self.table_size, "shares": self.shares}, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> "CommonWords":
        data = json.loads(path.read_text())
        return cls({str(k): float(v) for k, v in data["shares"].items()}, int(data["table_size"]))
