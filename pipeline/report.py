"""A one-page, self-contained HTML report of the current view: filters, chart, top quotes, provenance.

Everything that comes from the data (quotes, outlets, codes, links, even filter values) is untrusted
and reaches the page through `html.escape` only; links are kept only with an http(s) scheme, and a
Content-Security-Policy forbids scripts and any fetch, so the file is safe to mail and open offline.

Example::

    page = report_html("Tension: PRK → USA", {"Period": "2019-12-01 to 2019-12-31"}, chart, quotes,
                       pipeline.__version__, datetime.now(UTC))
    Path("report.html").write_text(page, encoding="utf-8")
"""

from __future__ import annotations

import base64
from datetime import datetime
from html import escape
from string import Template
from urllib.parse import urlsplit

import pandas as pd

from pipeline import charts

UNSAFE_SVG = ("<script", "<foreignobject", "javascript:")  # what inline SVG must never hold
QUOTE_LIMIT = 25  # a report is one page; the app offers every quote as CSV
PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>$title</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #222; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
figure { margin: 1rem 0; }
figure svg, figure img { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td:first-child { white-space: nowrap; }
footer { margin-top: 2rem; color: #666; font-size: 13px; }
</style>
</head>
<body>
<h1>$title</h1>
<h2>Filters</h2>
<dl>
$filters
</dl>
<figure>
$chart
</figure>
<h2>Top quotes</h2>
$quotes
<footer>Tension Tracker method version $version · generated $generated ·
tension = hostility − cooperation; the daily index is 100 × Σ story tension / stories that day.</footer>
</body>
</html>
""")


def report_html(title: str, filters: dict[str, str], chart, quotes: pd.DataFrame, method_version: str,
                generated_at: datetime, limit: int = QUOTE_LIMIT) -> str:
    """The report as one HTML string; `chart` (an Altair chart, or None) is inlined as SVG and
    `quotes` (`queries.key_quotes`) gives the table, its `limit` most hostile rows."""
    return PAGE.substitute(
        title=escape(title), filters=_definitions(filters), chart=_figure(chart),
        quotes=_quote_table(quotes, limit), version=escape(str(method_version)),
        generated=escape(generated_at.isoformat(timespec="seconds")))


def safe_link(url, text: str = "link") -> str:
    """An <a> for an http(s) URL with a host; anything else (javascript:, data:, relative) as text.

    >>> safe_link("javascript:alert(1)")
    'javascript:alert(1)'
    >>> safe_link('https://example.org/?a=1&b="2"')
    '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer">link</a>'
    """
    if url is None or pd.isna(url) or not str(url).strip():
        return ""
    url = str(url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer">{escape(text)}</a>'
    return escape(url)


def _definitions(filters: dict[str, str]) -> str:
    return "\n".join(f"<dt>{escape(str(key))}</dt><dd>{escape(str(value))}</dd>"
                     for key, value in filters.items())


def _figure(chart) -> str:
    """Inline SVG: vl-convert writes it with every text XML-escaped and no script. Should a label
    ever smuggle markup through, the PNG (an <img>, inert by construction) is used instead."""
    if chart is None:
        return "<p>No chart.</p>"
    svg = charts.to_svg(chart)
    if svg.lstrip().startswith("<svg") and not any(bad in svg.lower() for bad in UNSAFE_SVG):
        return svg
    png = base64.b64encode(charts.to_png(chart)).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{png}">'


def _quote_table(quotes: pd.DataFrame, limit: int) -> str:
    if quotes is None or quotes.empty:
        return "<p>No quotes in this selection.</p>"
    top = quotes.sort_values("hostility", ascending=False, kind="stable").head(limit)
    header = "".join(f"<th>{name}</th>" for name in
                     ("Date", "Source → target", "Category", "Hostility", "Quote", "Outlet", "Link"))
    rows = "\n".join(_quote_row(row) for row in top.to_dict("records"))
    return f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"


def _quote_row(row: dict) -> str:
    arrow = " → " if row.get("directed", True) else " – "
    excerpt = next((text for text in (row.get(name) for name in ("excerpt", "quote", "sentence"))
                    if isinstance(text, str) and text), "")
    hostility = row.get("hostility")
    cells = [_text(_day(row.get("day"))), _text(f"{row.get('source', '')}{arrow}{row.get('target', '')}"),
             _text(row.get("category")),
             f'<td class="num">{"" if pd.isna(hostility) else f"{float(hostility):.2f}"}</td>',
             _text(excerpt), _text(row.get("outlet")), f"<td>{safe_link(row.get('url'))}</td>"]
    return f"<tr>{''.join(cells)}</tr>"


def _text(value) -> str:
    return f"<td>{'' if value is None or pd.isna(value) else escape(str(value))}</td>"


def _day(value) -> str:
    return "undated" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()
