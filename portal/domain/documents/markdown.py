"""The one Markdown -> sanitized HTML renderer, used by public pages and previews alike."""
from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt

from portal.domain.documents.symbols import IN_TEXT

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "sub", "sup",
    "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "code", "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"},
                      "ol": {"start", "type"}}


# The parser is markdown-it-py (CommonMark with GFM tables): its time grows linearly with the
# input, including the shapes that made Python-Markdown run for minutes (runs of backticks,
# brackets, list markers), and it stops nesting at MAX_DEPTH levels instead of recursing.
# Bounds, measured in README "Limits":
MAX_CHARS = 400_000        # a body longer than this is refused when saved or loaded
MAX_DEPTH = 20             # list and quote nesting beyond this is shown as text

_parser = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_DEPTH, "typographer": False}).enable("table")


def problems(text: str) -> list[str]:
    """Why a body cannot be saved, in Vietnamese (empty when it can)."""
    if len(text or "") > MAX_CHARS:
        return [f"nội dung dài {len(text):,} ký tự, vượt giới hạn {MAX_CHARS:,} ký tự".replace(",", ".")]
    return []


def render(text: str) -> str:
    """Markdown to HTML with no script, handler, style or javascript: URL surviving; the time it
    takes grows linearly with the text (which is cut at MAX_CHARS)."""
    raw = _parser.render((text or "")[:MAX_CHARS])
    # Headings in a body start below the page's own h1.
    raw = re.sub(r"<(/?)h1>", r"<\1h2>", raw)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


_TAG = re.compile(r"(<[^>]*>)")


def link_symbols(body_html: str, url_for_symbol: Callable[[str], str | None]) -> str:
    """Turn symbols cited in text ("Kế hoạch số 174/KH-UBND") into links where a URL exists."""
    out, inside_link = [], False
    for part in _TAG.split(body_html):
        if part.startswith("<"):
            if re.match(r"<a[\s>]", part):
                inside_link = True
            elif part.startswith("</a"):
                inside_link = False
            out.append(part)
        elif inside_link or not part:
            out.append(part)
        else:
            out.append(IN_TEXT.sub(lambda m: _link(m.group(0), url_for_symbol), part))
    return "".join(out)


def _link(symbol: str, url_for_symbol: Callable[[str], str | None]) -> str:
    url = url_for_symbol(html.unescape(symbol))
    return f'<a href="{html.escape(url)}">{symbol}</a>' if url else symbol
