"""pipeline.charts on small frames built by hand with the columns of pipeline.queries."""

import io
import re
from datetime import date

import altair as alt
import pandas as pd
import pytest

from pipeline import charts, frames, queries

DTYPES = {frames.DAY: "datetime64[ns]"}


def frame(columns: dict[str, str], rows: list[dict]) -> pd.DataFrame:
    """A frame typed as the query returning `columns` types it; missing values take defaults."""
    defaults = {"bool": False, "int64": 0, "float64": 0.0, "str": ""}
    data = pd.DataFrame([{name: row.get(name, defaults.get(dtype)) for name, dtype in columns.items()}
                         for row in rows], columns=list(columns))
    return data.astype({name: DTYPES.get(dtype, dtype) for name, dtype in columns.items()})


def series_rows():
    return frame(queries.DYAD_COLUMNS, [row | {"kind": "all"} for row in [
        {"day": "2019-12-20", "source": "PRK", "target": "USA", "directed": True, "tension_index": 4.0,
         "rolling_7d": 0.6, "statements": 2, "articles": 1},
        {"day": "2019-12-21", "source": "PRK", "target": "USA", "directed": True, "tension_index": 30.0,
         "rolling_7d": 4.9, "statements": 5, "articles": 3, "anomaly": True},
        {"day": "2019-12-21", "source": "USA", "target": "PRK", "directed": True, "tension_index": -3.0,
         "rolling_7d": -0.4, "statements": 1, "articles": 1},
    ]])


def quote_rows():
    return frame(queries.QUOTE_COLUMNS, [
        {"day": "2019-12-21", "source": "PRK", "target": "USA", "directed": True, "category": "THREATEN",
         "hostility": 0.87, "excerpt": "pay dearly", "outlet": "KCNA"},
        {"day": "2019-12-21", "source": "PRK", "target": "USA", "directed": True, "category": "DISAPPROVE",
         "hostility": 0.4, "excerpt": "regrettable", "outlet": "KCNA"},
    ])


def records(chart, mark: str | None = None) -> list[dict]:
    """The data rows of a one-view chart, or of the timeline's layer of that `mark` (Altair keeps
    inline data under `datasets`, each view naming its own)."""
    spec = chart.to_dict()
    view = spec if mark is None else next(layer for layer in spec["vconcat"][0]["layer"]
                                          if layer["mark"]["type"] == mark)
    return spec["datasets"][view["data"]["name"]]


def layers(chart) -> list[dict]:
    return chart.to_dict()["vconcat"][0]["layer"]


def test_charts_timeline_is_valid_vega_lite():
    spec = charts.timeline_chart(series_rows()).to_dict()
    top, volume = spec["vconcat"]
    fields = {layer["mark"]["type"]: layer["encoding"]["y"].get("field") for layer in top["layer"]}
    assert fields["circle"] == "tension_index" and fields["line"] == "rolling_7d"
    assert volume["mark"]["type"] == "bar" and volume["encoding"]["y"]["field"] == "statements"
    assert top["title"]["text"] and volume["title"]
    assert spec["resolve"]["scale"]["x"] == "shared"


def test_charts_timeline_colours_each_direction_apart():
    chart = charts.timeline_chart(series_rows())
    points = next(layer for layer in layers(chart) if layer["mark"]["type"] == "circle")
    assert points["encoding"]["color"]["field"] == "pair"
    assert {row["pair"] for row in records(chart, "circle")} == {"PRK → USA", "USA → PRK"}


def test_charts_timeline_labels_undirected_pairs_with_a_dash():
    series = series_rows().assign(directed=False)
    pairs = {row["pair"] for row in records(charts.timeline_chart(series), "circle")}
    assert pairs == {"PRK – USA", "USA – PRK"}


def test_charts_timeline_rings_anomaly_days():
    chart = charts.timeline_chart(series_rows())
    rings = [layer for layer in layers(chart) if layer.get("transform") == [{"filter": "datum.anomaly"}]]
    assert len(rings) == 1
    assert rings[0]["encoding"]["color"] == {"value": charts.ANOMALY_COLOUR}
    assert [row["day"][:10] for row in records(chart, "circle") if row["anomaly"]] == ["2019-12-21"]


def test_charts_timeline_tooltip_carries_the_most_hostile_quote_of_the_day():
    chart = charts.timeline_chart(series_rows(), quote_rows())
    by_key = {(row["day"][:10], row["pair"]): row["top_quote"] for row in records(chart, "circle")}
    assert by_key == {("2019-12-20", "PRK → USA"): "", ("2019-12-21", "PRK → USA"): "pay dearly",
                      ("2019-12-21", "USA → PRK"): ""}
    points = next(layer for layer in layers(chart) if layer["mark"]["type"] == "circle")
    assert "top_quote" in {tip["field"] for tip in points["encoding"]["tooltip"]}


def test_charts_timeline_shortens_long_quotes():
    quotes = quote_rows().assign(excerpt="word " * 200)
    chart = charts.timeline_chart(series_rows(), quotes)
    top = {row["top_quote"] for row in records(chart, "circle")} - {""}
    assert len(top) == 1 and len(top.pop()) == charts.QUOTE_CHARS


@pytest.mark.parametrize("make", [
    lambda: charts.timeline_chart(frame(queries.DYAD_COLUMNS, [])),
    lambda: charts.timeline_chart(frame(queries.DYAD_COLUMNS, []), frame(queries.QUOTE_COLUMNS, [])),
    lambda: charts.timeline_chart(series_rows(), frame(queries.QUOTE_COLUMNS, [])),
    lambda: charts.timeline_chart(pd.DataFrame()),
    lambda: charts.heatmap_chart(frame(queries.MATRIX_COLUMNS, [])),
    lambda: charts.ranking_chart(frame(queries.RANKED_COLUMNS, [])),
    lambda: charts.ranking_chart(frame(queries.MOVER_COLUMNS, []), value="delta", label="Change"),
], ids=["timeline", "timeline-quotes", "no-quotes", "no-columns", "heatmap", "ranking", "movers"])
def test_charts_empty_inputs_give_valid_titled_charts(make):
    chart = make()
    assert "title" in str(chart.to_dict())
    assert charts.to_svg(chart).startswith("<svg")


def test_charts_heatmap_diverges_around_zero():
    matrix = frame(queries.MATRIX_COLUMNS, [
        {"source": "PRK", "target": "USA", "mean_tension": 0.6, "statements": 3, "tension_index": 40.0},
        {"source": "USA", "target": "PRK", "mean_tension": -0.2, "statements": 2, "tension_index": -5.0}])
    spec = charts.heatmap_chart(matrix).to_dict()
    encoding = spec["encoding"]
    assert (encoding["x"]["field"], encoding["y"]["field"]) == ("target", "source")
    assert encoding["color"]["field"] == "mean_tension"
    assert encoding["color"]["scale"] == {"scheme": "redblue", "reverse": True, "domain": [-0.6, 0.6]}
    assert {"mean_tension", "statements", "tension_index"} <= {t["field"] for t in encoding["tooltip"]}


@pytest.mark.parametrize(("columns", "value"), [(queries.RANKED_COLUMNS, "tension_index"),
                                                (queries.MOVER_COLUMNS, "delta")])
def test_charts_ranking_bars_per_pair_largest_first(columns, value):
    ranked = frame(columns, [{"source": "PRK", "target": "USA", "directed": True, value: 12.0},
                             {"source": "CHN", "target": "USA", "directed": False, value: -3.0}])
    chart = charts.ranking_chart(ranked, value=value, label="Label")
    encoding = chart.to_dict()["encoding"]
    assert encoding["x"]["field"] == value and encoding["x"]["title"] == "Label"
    assert encoding["y"] == {"field": "pair", "sort": "-x", "title": None, "type": "nominal"}
    assert [row["pair"] for row in records(chart)] == ["PRK → USA", "CHN – USA"]


def test_charts_ranking_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="no column 'nope'"):
        charts.ranking_chart(frame(queries.RANKED_COLUMNS, [{"source": "A", "target": "B"}]), value="nope")


def test_charts_to_png_gives_png_bytes():
    assert charts.to_png(charts.timeline_chart(series_rows(), quote_rows()), scale=1).startswith(b"\x89PNG")


def test_charts_to_svg_renders_container_width_at_export_width():
    svg = charts.to_svg(charts.heatmap_chart(frame(queries.MATRIX_COLUMNS, [{"source": "A", "target": "B"}])))
    assert svg.startswith("<svg")
    width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    assert width >= charts.EXPORT_WIDTH


def test_charts_to_csv_round_trips():
    series = series_rows()
    back = pd.read_csv(io.BytesIO(charts.to_csv(series)), parse_dates=["day"], encoding="utf-8")
    pd.testing.assert_frame_equal(back, series, check_dtype=False)


def test_charts_timeline_breaks_the_7_day_line_where_a_pair_fell_quiet():
    line = records(charts.timeline_chart(series_rows()), "line")
    prk = [(row["day"][:10], row["rolling_7d"]) for row in line if row["pair"] == "PRK → USA"]
    assert prk == [("2019-12-20", 0.6), ("2019-12-21", 4.9), ("2019-12-22", None)]


def test_charts_exports_series_longer_than_altairs_row_limit():
    days = pd.date_range("2000-01-01", periods=6000)
    series = frame(queries.DYAD_COLUMNS, [{"day": day, "source": "A", "target": "B", "directed": True,
                                           "statements": 1} for day in days])
    before = dict(alt.data_transformers.options)
    assert charts.to_svg(charts.timeline_chart(series)).startswith("<svg")
    assert alt.data_transformers.options == before  # the limit is lifted for the export only


def x_axes(svg: str) -> set[str]:
    """What the rendered chart's x-axes say they span (Vega's aria description of each axis)."""
    return set(re.findall(r'aria-label="(X-axis[^"]*)"', svg))


def test_charts_timeline_day_axis_spans_the_period_asked():
    """Each direction drawn over the period asked, not over its own days: side by side, the two
    directions of a pair share one time axis."""
    every, one_way = series_rows(), series_rows().query("source == 'USA'")
    period = (date(2019, 12, 1), date(2019, 12, 31))
    drawn = [x_axes(charts.to_svg(charts.timeline_chart(series, period=period)))
             for series in (every, one_way)]
    assert drawn == [{"X-axis for a time scale with values from 01 December 2019 to 31 December 2019"}] * 2
    own_days = [x_axes(charts.to_svg(charts.timeline_chart(series))) for series in (every, one_way)]
    assert own_days[0] != own_days[1]


def test_charts_timeline_panels_are_the_two_views_of_the_timeline():
    panels = charts.timeline_panels(series_rows())
    assert len(panels) == 2
    assert all(panel.to_dict()["width"] == "container" for panel in panels)


def test_charts_timeline_panels_of_nothing_is_one_empty_view():
    assert len(charts.timeline_panels(frame(queries.DYAD_COLUMNS, []))) == 1


def kinds_rows():
    return frame(queries.DYAD_COLUMNS, [
        {"kind": "words", "day": "2022-02-20", "source": "RUS", "target": "UKR", "directed": True,
         "tension_index": 30.0, "rolling_7d": 4.3, "statements": 3},
        {"kind": "words", "day": "2022-02-21", "source": "RUS", "target": "UKR", "directed": True,
         "tension_index": 40.0, "rolling_7d": 10.0, "statements": 4},
        {"kind": "deeds", "day": "2022-02-24", "source": "RUS", "target": "UKR", "directed": True,
         "tension_index": 90.0, "rolling_7d": 12.9, "statements": 9},
    ])


def test_charts_words_and_deeds_are_two_lines_each_broken_where_it_fell_quiet():
    chart = charts.kinds_chart(kinds_rows(), period=(date(2022, 2, 1), date(2022, 2, 28)))
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Words and deeds apart"
    points, line = spec["layer"]
    dots = spec["datasets"][points["data"]["name"]]
    assert [(row["pair"], row["tension_index"]) for row in dots] == [("Words", 30.0), ("Words", 40.0),
                                                                      ("Deeds", 90.0)]
    drawn = [(row["pair"], row["day"][:10], row["rolling_7d"])
             for row in spec["datasets"][line["data"]["name"]]]
    assert drawn == [("Deeds", "2022-02-24", 12.9), ("Deeds", "2022-02-25", None),
                     ("Words", "2022-02-20", 4.3), ("Words", "2022-02-21", 10.0),
                     ("Words", "2022-02-22", None)]
    assert points["encoding"]["color"]["scale"]["domain"] == ["Words", "Deeds"]  # the same colour each view


def test_charts_words_and_deeds_of_nothing_say_so():
    spec = charts.kinds_chart(kinds_rows().iloc[0:0]).to_dict()
    assert spec["mark"]["type"] == "text" and spec["title"] == "Words and deeds apart"


def test_charts_export_keeps_its_rows_while_streamlit_draws_a_chart_on_another_thread():
    """A file made on click is drawn beside a page's run: Altair's data transformer and row limit are
    settings of the process, and Streamlit swaps the transformer while it draws (under its lock)."""
    import threading

    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    points = pd.DataFrame({"x": range(6000), "y": range(6000)})
    chart = alt.Chart(points).mark_point().encode(x="x", y="y")
    before, done, failed = dict(alt.data_transformers.options), threading.Event(), []

    def draw_pages() -> None:
        while not done.is_set():
            try:
                _convert_altair_to_vega_lite_spec(alt.Chart(points.head(10)).mark_line().encode(x="x", y="y"))
            except Exception as error:  # noqa: BLE001 - what the page would have shown
                failed.append(repr(error))

    page = threading.Thread(target=draw_pages)
    page.start()
    try:
        rows = [sum(len(values) for values in charts.export_spec(chart).get("datasets", {}).values())
                for _ in range(60)]
    finally:
        done.set()
        page.join()
    assert rows == [6000] * 60 and not failed, failed[:1]
    assert alt.data_transformers.active == "default" and alt.data_transformers.options == before
