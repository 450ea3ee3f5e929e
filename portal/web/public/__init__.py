"""Blueprint "public": the section, documents, campaigns, feeds and site maps."""
from __future__ import annotations

from datetime import date
from email.utils import format_datetime
from urllib.parse import urlencode

from flask import Blueprint, Flask, g, request
from markupsafe import escape

from portal.domain.campaigns.models import format_money
from portal.domain.kernel.models_base import as_utc
from portal.domain.kernel.vocab import strip_controls
from portal.web.common import kept_link, vn_date

bp = Blueprint("public", __name__)


def vn_long_date(value: date | None) -> str:
    """`ngày 09 tháng 8 năm 2022`, as on an official document."""
    return f"ngày {value.day:02d} tháng {value.month} năm {value.year}" if value else ""


def iso_vn_datetime(value: str | None) -> str:
    """A stored ISO instant (with its offset) as dd/mm/yyyy HH:MM in Vietnam time."""
    from datetime import datetime

    from portal.domain.kernel.models_base import VN
    try:
        return datetime.fromisoformat(value).astimezone(VN).strftime("%d/%m/%Y %H:%M") if value else ""
    except (TypeError, ValueError):
        return ""


def vn_number(value) -> str:
    """1250 -> "1.250"; 1250.5 -> "1.250,5" (Vietnamese separators); numbers given as text too."""
    if type(value) is int:  # a count: most calls
        return f"{value:,}".replace(",", ".")
    from decimal import Decimal
    number = Decimal(str(value))
    whole, _, fraction = f"{number:f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".") if whole.lstrip("-") else whole
    fraction = fraction.rstrip("0")
    return f"{text},{fraction}" if fraction else text


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one); page resets."""
    parts = dict(_encoded_args())
    parts.pop("trang", None)
    for key, value in changes.items():
        if value is None:
            parts.pop(key, None)
        else:
            parts[key] = _encoded(key, value)
    return _here_with_query("&".join(parts.values()))


def _encoded_args() -> dict[str, str]:
    """This request's query arguments, each as `key=value` encoded once per request (a list's
    filters and pages link to the page itself some thirty times, each a change of one argument)."""
    kept = g.get("_args_encoded")
    if kept is None:
        kept = g._args_encoded = {key: _encoded(key, value) for key, value in request.args.to_dict().items()}
    return kept


def _encoded(key: str, value) -> str:
    return urlencode(((key, value),), safe=_SAFE)


def facet_links(facets: dict[str, list[tuple[str, str, int]]], args: dict) -> dict[str, list[tuple]]:
    """Each facet value as (label, count, link, chosen): the link adds the value to this page's
    filters (`args`, this request's), or for the value chosen, takes it away. Built here rather
    than by a template call per value (a list shows some thirty); a facet with no value chosen
    (most) shares one stem, the page's other filters, as url_with() writes them."""
    links = {}
    others = None
    for key, values in facets.items():
        chosen = args.get(key)
        if chosen is None:
            if others is None:
                others = _here_with_query("&".join(v for k, v in _encoded_args().items() if k != "trang"))
                others += "&" if "?" in others else "?"
            links[key] = [(label, count, others + _encoded(key, value), False) for value, label, count in values]
            continue
        links[key] = [(label, count, url_with(**{key: None if value == chosen else value}), value == chosen)
                      for value, label, count in values]
    return links


def with_filters(*endpoints: str) -> list[str]:
    """The links to other pages of the same list (statistics, exports) under this page's filters."""
    query = "&".join(value for key, value in _encoded_args().items() if key != "trang")
    return [f"{kept_link(endpoint)}?{query}" if query else kept_link(endpoint) for endpoint in endpoints]


def page_url(number: int) -> str:
    """This list's page `number` under the same filters (page 1 has no `trang`)."""
    parts = dict(_encoded_args())
    if number == 1:
        parts.pop("trang", None)
    else:
        parts["trang"] = _encoded("trang", number)
    return _here_with_query("&".join(parts.values()))


def _here_with_query(query: str) -> str:
    """This page's URL with `query`, as url_for() writes it; the path is built once per request
    (a search page links to itself forty times: facets, tabs, sorting, pages)."""
    here = g.get("_here")
    if here is None:
        here = g._here = kept_link(request.endpoint, **(request.view_args or {}))
    return f"{here}?{query}" if query else here


_SAFE = "!$'()*,/:;?@"  # what url_for leaves unescaped in a query (the URL standard's set)


def pair(row: tuple) -> tuple[str, int]:
    """(value, label, count) -> (label, count), for charts."""
    return row[1], row[2]


def zip_counts(years, by_year: dict) -> list[tuple[str, int]]:
    return [(year, sum(by_year[int(year)].values())) for year in years]


def feed_text(value: str) -> str:
    """Text for an RSS element that readers may render as HTML: escaped as HTML here, and once
    more as XML by the template, so markup in it arrives as visible text, never as markup."""
    return str(escape(strip_controls(value or "")))


def init_app(app: Flask) -> None:
    from portal.web.public import (  # noqa: F401,E501  (routes)
        campaigns,
        consultations,
        documents,
        feeds,
        honors,
        search,
        verification,
    )

    app.register_blueprint(bp)
    app.add_template_filter(vn_date, "vn_date")
    app.add_template_filter(lambda moment: format_datetime(as_utc(moment)), "rfc822")
    app.add_template_filter(vn_long_date, "vn_long_date")
    app.add_template_filter(vn_number, "vn_number")
    app.add_template_filter(iso_vn_datetime, "iso_vn_datetime")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(pair, "pair")
    app.add_template_filter(zip_counts, "zip_counts")
    app.add_template_filter(feed_text, "feed_text")
    app.add_template_global(url_with)
    app.add_template_global(page_url)
    app.add_template_global(with_filters)
