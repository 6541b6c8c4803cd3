"""One module per input format, all with the signature parse(text, hints) -> ArticleDraft.

Parsers are pure: no network, no database. They never import storage or api.
"""
