"""The search syntax users type, parsed into a small tree both engines render.

Syntax: words (all must match), "quoted phrases", OR between two terms, and -exclusion of a word or
phrase. Everything else is text: punctuation splits words the way both indexes tokenise them, so
`multi-agent` and `20.04` are phrases of their parts, and `NEAR(a b)`, `title:x` or `*` carry no operators.
"""

import re
from dataclasses import dataclass

from app.errors import InvalidQuery

# Letters and digits only: FTS5's unicode61 and our PostgreSQL index both split on everything else.
TOKEN = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a phrase: tokens that must appear next to each other, in order."""

    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """All groups must match (each group is an OR of terms); no excluded term may match."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]


def parse_query(text: str, *, max_chars: int, max_terms: int) -> SearchQuery:
    """Parse user input; raise InvalidQuery with a reason a person can act on."""
    if len(text) > max_chars:
        raise InvalidQuery(f"search query is longer than {max_chars} characters")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for match in _PIECE.finditer(text):
        negated_phrase, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare in ("OR", "AND") and groups and not pending_or:
            pending_or = bare == "OR"
            continue
        negated = bool(negated_phrase) or (bare is not None and bare.startswith("-") and len(bare) > 1)
        raw = phrase if phrase is not None else (bare[1:] if negated and bare else bare or "")
        tokens = tuple(t.casefold() for t in TOKEN.findall(raw))
        if not tokens:
            continue
        term = Term(tokens)
        if negated:
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


def to_fts5(query: SearchQuery) -> str:
    """Render as an FTS5 MATCH expression; every token is a quoted string, so no token is an operator."""

    def term(t: Term) -> str:
        return '"' + " ".join(t.tokens) + '"'

    positive = " AND ".join("(" + " OR ".join(term(t) for t in group) + ")" for group in query.groups)
    return positive + "".join(f" NOT {term(t)}" for t in query.excluded)


def to_tsquery(query: SearchQuery) -> str:
    """Render as PostgreSQL to_tsquery input; tokens are letters and digits only, quoted as lexemes."""

    def term(t: Term) -> str:
        return "(" + " <-> ".join(f"'{tok}'" for tok in t.tokens) + ")"

    positive = " & ".join("(" + " | ".join(term(t) for t in group) + ")" for group in query.groups)
    return positive + "".join(f" & !{term(t)}" for t in query.excluded)
