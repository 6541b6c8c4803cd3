"""HTML fragments (feed content, JSON articleBody) to plain text with one paragraph per line."""

from lxml import html as lxml_html
from lxml.etree import ParserError

_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr"}
    | {"section", "article", "header", "footer", "figure", "figcaption", "br"}
)
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "template")
_PARSER = lxml_html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)


def fragment_text(fragment: str) -> str:
    """The readable text of an HTML fragment; plain text passes through unchanged."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=_PARSER)
    except (ParserError, ValueError):
        return fragment.strip()
    for node in root.iter(*_DROP):
        node.drop_tree()
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.lower() in _BLOCKS:
            node.tail = "\n" + (node.tail or "")
            if node.tag.lower() != "br":
                node.text = "\n" + (node.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
