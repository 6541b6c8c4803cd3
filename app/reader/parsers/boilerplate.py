"""Calls to action that extractors leave in article bodies: newsletter boxes, "Read more:" links, "Advertisement".

Only short paragraphs are judged (a sentence of the article that mentions a newsletter is long), and each
pattern names boilerplate in its own words rather than a site's markup, so it holds on pages not seen.
"""

import re

_MAX_WORDS = 30
_PATTERNS = re.compile(
    "|".join(
        [
            r"\bnewsletters?\b",
            r"\bsubscribe\b",
            r"\bclick here\b",
            r"\btell us what you think\b",
            r"\bthanks? (?:you )?for signing up\b",
            r"^(?:read|see|watch) (?:more|also)\s*:\s*\S+(?:\s+\S+){2,}",
            r"^(?:related|recommended|more from \w+)\s*:",
            r"^(?:don'?t miss|advertisement|ad|sponsored|share this article|share this story)\W*$",
        ]
    ),
    re.IGNORECASE,
)


def is_boilerplate(paragraph: str) -> bool:
    """True for a short paragraph that is a call to action or a pointer to other content."""
    text = paragraph.strip().lstrip("-•* ").strip()
    return len(text.split()) <= _MAX_WORDS and _PATTERNS.search(text) is not None


def strip_boilerplate(body: str) -> str:
    """The body without boilerplate paragraphs (paragraphs are separated by newlines)."""
    return "\n".join(line for line in body.split("\n") if not is_boilerplate(line))
