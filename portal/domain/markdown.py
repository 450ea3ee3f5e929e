"""The one Markdown -> sanitized HTML renderer, used by public pages and previews alike."""
from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown as md
import nh3

from .symbols import IN_TEXT

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "sub", "sup",
    "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "code", "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"},
                      "ol": {"start", "type"}}


# Python-Markdown's inline patterns grow faster than linearly on long runs of unmatched
# backticks or brackets in one block (1,000 backticks took seconds), and its block parser
# recurses once per nesting level. Bounds, measured in README "Limits":
MAX_CHARS = 400_000        # a body longer than this is refused when saved or loaded
MAX_DEPTH = 12             # list and quote nesting kept; deeper lines are shown at this depth
MAX_MARKERS = 64           # more backticks or brackets than this in one block: shown literally
_BLOCKS = re.compile(r"(\n[ \t]*\n)")
_INDENT = re.compile(r"^([ \t]*)((?:>[ \t]*)*)", re.MULTILINE)
_MARKERS = re.compile(r"^([ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+){%d})(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)+" % MAX_DEPTH,
                      re.MULTILINE)


def problems(text: str) -> list[str]:
    """Why a body cannot be saved, in Vietnamese (empty when it can)."""
    if len(text or "") > MAX_CHARS:
        return [f"nội dung dài {len(text):,} ký tự, vượt giới hạn {MAX_CHARS:,} ký tự".replace(",", ".")]
    return []


def _clamp_nesting(match: re.Match) -> str:
    indent = match.group(1).expandtabs(4)[: MAX_DEPTH * 4]
    quotes = match.group(2)
    if quotes.count(">") > MAX_DEPTH:
        quotes = "> " * MAX_DEPTH
    return indent + quotes


# Markers shown literally travel through Markdown as private-use characters (which it leaves
# alone, in linear time) and are put back in the HTML; escaping them with "\\" is itself quadratic.
_LITERAL = {"`": "\ue000", "[": "\ue001", "]": "\ue002", "*": "\ue003", "_": "\ue004", "<": "\ue005"}
_SHOWN = {"<": "&lt;"}
_PRIVATE = re.compile("[\ue000-\ue005]")


def _defuse(text: str) -> str:
    """The text with bounded nesting, and literal markers where a block has too many of them."""
    text = _PRIVATE.sub("", _MARKERS.sub(r"\1", _INDENT.sub(_clamp_nesting, text[:MAX_CHARS])))
    parts = _BLOCKS.split(text)
    for i in range(0, len(parts), 2):
        block = parts[i]
        if sum(block.count(marker) for marker in _LITERAL) > MAX_MARKERS * 4 or any(
                block.count(marker) > MAX_MARKERS for marker in "`[<"):
            for marker, stand_in in _LITERAL.items():
                block = block.replace(marker, stand_in)
        parts[i] = block
    return "".join(parts)


def _restore(html_text: str) -> str:
    for marker, stand_in in _LITERAL.items():
        html_text = html_text.replace(stand_in, _SHOWN.get(marker, marker))
    return html_text


def render(text: str) -> str:
    """Markdown to HTML with no script, handler, style or javascript: URL surviving; the time it
    takes grows linearly with the text."""
    try:
        raw = md.markdown(_defuse(text or ""), extensions=["tables", "sane_lists"], output_format="html")
    except RecursionError:  # a shape of nesting not bounded above: show the text as typed
        raw = "".join(f"<p>{html.escape(block)}</p>" for block in re.split(r"\n\s*\n", text or "") if block.strip())
    # Headings in a body start below the page's own h1.
    raw = _restore(re.sub(r"<(/?)h1>", r"<\1h2>", raw))
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
