"""pipeline.report: a self-contained HTML page in which no text from the data is ever markup."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from pipeline import charts, queries, report
from tests.test_charts import frame, series_rows

WHEN = datetime(2024, 1, 6, 12, 30, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"


def hostile_quotes() -> pd.DataFrame:
    return frame(queries.QUOTE_COLUMNS, [
        {"day": "2019-12-21", "source": "PRK", "target": "USA", "directed": True, "category": "THREATEN",
         "hostility": 0.87, "excerpt": f"pay dearly {SCRIPT}", "outlet": "KCNA <b>Watch</b>",
         "url": "javascript:alert(2)"},
        {"day": "2019-12-22", "source": "USA", "target": "PRK", "directed": False, "category": "ACCUSE",
         "hostility": 0.5, "excerpt": "accused", "outlet": "Wire", "url": 'https://news.example/a?b=1&c="x"'},
    ])


@pytest.fixture(scope="module")
def page() -> str:
    chart = charts.timeline_chart(series_rows(), hostile_quotes())
    filters = {"Period": "2019-12-01 to 2019-12-31", "Pairs": "PRK → USA", "Note": "<i>untrusted</i>"}
    return report.report_html("Tension: PRK → USA <img src=x onerror=alert(3)>", filters, chart,
                              hostile_quotes(), "0.1.0+lexicon-7", WHEN)


def test_report_escapes_quotes_outlets_and_title(page):
    assert "<script" not in page.lower()
    assert "pay dearly &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "KCNA &lt;b&gt;Watch&lt;/b&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(3)&gt;" in page


def test_report_keeps_only_http_links(page):
    assert 'href="javascript' not in page
    assert "<td>javascript:alert(2)</td>" in page
    assert '<a href="https://news.example/a?b=1&amp;c=&quot;x&quot;" rel="noopener noreferrer">' in page


def test_report_lists_the_filters(page):
    assert "<dt>Period</dt><dd>2019-12-01 to 2019-12-31</dd>" in page
    assert "<dt>Pairs</dt><dd>PRK → USA</dd>" in page
    assert "<dd>&lt;i&gt;untrusted&lt;/i&gt;</dd>" in page


def test_report_states_method_version_and_generation_time(page):
    assert "method version 0.1.0+lexicon-7" in page
    assert "2024-01-06T12:30:00+00:00" in page


def test_report_embeds_the_chart_as_inline_svg(page):
    assert "<figure>\n<svg" in page and "</svg>\n</figure>" in page


def test_report_tables_quotes_most_hostile_first(page):
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].strip().splitlines()
    assert len(rows) == 2
    assert rows[0].startswith("<tr><td>2019-12-21</td><td>PRK → USA</td><td>THREATEN</td>"
                              '<td class="num">0.87</td>')
    assert "<td>USA – PRK</td><td>ACCUSE</td>" in rows[1]


def test_report_forbids_scripts_and_fetches():
    page = report.report_html("t", {}, None, frame(queries.QUOTE_COLUMNS, []), "v", WHEN)
    assert "default-src 'none'" in page
    assert "No quotes in this selection." in page and "No chart." in page


def test_report_limits_the_quote_table():
    quotes = pd.concat([hostile_quotes()] * 10, ignore_index=True)
    page = report.report_html("t", {}, None, quotes, "v", WHEN, limit=3)
    assert page.count("<tr><td>") == 3


def test_report_falls_back_to_png_when_svg_holds_markup(monkeypatch):
    monkeypatch.setattr(charts, "to_svg", lambda chart: "<svg><script>alert(4)</script></svg>")
    chart = charts.heatmap_chart(frame(queries.MATRIX_COLUMNS, [{"source": "A", "target": "B"}]))
    page = report.report_html("t", {}, chart, frame(queries.QUOTE_COLUMNS, []), "v", WHEN)
    assert "<script" not in page and '<img alt="chart" src="data:image/png;base64,iVBORw0KGgo' in page
