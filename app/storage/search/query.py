"""The search syntax users type, parsed into a small tree the index renders.

Syntax: words (all must match), "quoted phrases", OR between two terms, -exclusion of a word or phrase,
a trailing `*` for a prefix (`ukrain*`, at least two letters), and field scopes `title:`, `author:` and `tag:`
before a word or a quoted phrase (`title:ceasefire`, `author:"Jane Doe"`, `tag:nato`). Everything else is
text: punctuation splits words the way the index tokenises them, so `multi-agent` and `20.04` are phrases of
their parts, and `NEAR(a b)` or `other:x` carry no operators.
"""

import re
from dataclasses import dataclass
from typing import Literal

from app.errors import InvalidQuery

# Letters and digits only: the index splits text on everything else.
TOKEN = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)(?:(title|author|tag):)?(?:"([^"]*)"?|(\S+))')
MIN_PREFIX = 2

Scope = Literal["title", "author", "tag"]


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a phrase: tokens that must appear next to each other, in order.

    `scope` narrows it to one field (None: title, summary and body); `prefix` makes its last token a prefix.
    For `author:` and `tag:` the tokens are matched as one whole value (case-insensitive), not as words.
    """

    tokens: tuple[str, ...]
    scope: Scope | None = None
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """All groups must match (each group is an OR of terms); no excluded term may match."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    def terms(self) -> tuple[Term, ...]:
        return tuple(t for group in self.groups for t in group)


def parse_query(text: str, *, max_chars: int, max_terms: int) -> SearchQuery:
    """Parse user input; raise InvalidQuery with a reason a person can act on."""
    if len(text) > max_chars:
        raise InvalidQuery(f"search query is longer than {max_chars} characters")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for match in _PIECE.finditer(text):
        sign, scope, phrase, bare = match.groups()
        if bare in ("OR", "AND") and not scope and not sign and groups and not pending_or:
            pending_or = bare == "OR"
            continue
        if not sign and not scope and bare and bare.startswith("-") and len(bare) > 1:
            sign, bare = "-", bare[1:]
        term = _term(phrase if phrase is not None else bare or "", scope, quoted=phrase is not None)
        if term is None:
            continue
        if sign:
            excluded.append(term)
        elif pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if sum(len(g) for g in groups) + len(excluded) > max_terms:
        raise InvalidQuery(f"search query has more than {max_terms} terms")
    if not groups:
        raise InvalidQuery("search query has no words to search for (only operators, punctuation or exclusions)")
    return SearchQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def _term(raw: str, scope: str | None, *, quoted: bool) -> Term | None:
    if scope in ("author", "tag"):
        # A whole value: `author:"Jane Doe"` is that author, not two words anywhere.
        value = " ".join(raw.split()).casefold()
        return Term((value,), scope) if TOKEN.search(value) else None  # type: ignore[arg-type]
    prefix = not quoted and raw.endswith("*")
    tokens = tuple(t.casefold() for t in TOKEN.findall(raw))
    if not tokens:
        return None
    if prefix and len(tokens[-1]) < MIN_PREFIX:
        raise InvalidQuery(f"a prefix needs at least {MIN_PREFIX} letters before the *")
    return Term(tokens, scope, prefix)  # type: ignore[arg-type]
