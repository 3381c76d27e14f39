"""The site's chart specifications: Vega (https://vega.github.io/vega/, vendored in static/vendor/),
one per chart type, carried in each page as JSON (#vega-specs, a few kB). A page's figure names its
spec and carries its rows in a JSON block; static/site.js puts the rows into the spec's `table`
data set and renders SVG with Vega's expression interpreter (no eval, so the CSP needs no
'unsafe-eval'). Nothing is fetched, so a page works from a web server and from file:// alike.
Plain Python, no Dagster. Every spec reads the fields the builder writes: see each docstring."""

from __future__ import annotations

PALETTE = [
    "#1f3b73",
    "#c0392b",
    "#1e7b45",
    "#8e44ad",
    "#b35900",
    "#117a65",
    "#5d6d7e",
    "#7d6608",
    "#2c3e50",
]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _base(height: int) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "width": 600,
        "height": height,
        "padding": 4,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": {
            "text": {"font": FONT},
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 11,
                "titleFontSize": 12,
            },
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 11},
        },
        "signals": [{"name": "unit", "value": ""}],
    }


def stacked_bars() -> dict:
    """Rows {year, series, value}: bars per year stacked by series (sectors, in kt)."""
    spec = _base(300)
    spec["data"] = [
        {
            "name": "table",
            "values": [],
            "transform": [
                {
                    "type": "stack",
                    "groupby": ["year"],
                    "sort": {"field": "series"},
                    "field": "value",
                }
            ],
        }
    ]
    # A time axis: years are placed by value, so 1990, 2000, 2005 … 2021 keep their distances.
    spec["signals"].append(
        {
            "name": "bar_width",
            "update": "max(1, 0.8 * width / (span(domain('x')) + 1))",
        }
    )
    spec["scales"] = [
        {
            "name": "x",
            "type": "linear",
            "range": "width",
            "zero": False,
            "nice": False,
            "padding": 16,
            "domain": {"data": "table", "field": "year"},
        },
        {
            "name": "y",
            "type": "linear",
            "range": "height",
            "nice": True,
            "zero": True,
            "domain": {"data": "table", "field": "y1"},
        },
        {
            "name": "color",
            "type": "ordinal",
            "range": PALETTE,
            "domain": {"data": "table", "field": "series", "sort": True},
        },
    ]
    spec["axes"] = [
        {
            "orient": "bottom",
            "scale": "x",
            "format": "d",
            "tickMinStep": 1,
            "labelOverlap": True,
        },
        {"orient": "left", "scale": "y", "title": {"signal": "unit"}, "grid": True},
    ]
    spec["legends"] = [
        {
            "fill": "color",
            "orient": "bottom",
            "columns": {"signal": "width < 420 ? 1 : 2"},
            "labelLimit": 320,
        }
    ]
    spec["marks"] = [
        {
            "type": "rect",
            "from": {"data": "table"},
            "encode": {
                "enter": {
                    "xc": {"scale": "x", "field": "year"},
                    "width": {"signal": "bar_width"},
                    "y": {"scale": "y", "field": "y0"},
                    "y2": {"scale": "y", "field": "y1"},
                    "fill": {"scale": "color", "field": "series"},
                    "tooltip": {
                        "signal": "{'år': datum.year, 'sektor': datum.series, 'kt CO2e': "
                        "format(datum.value, ',.1f')}"
                    },
                }
            },
        }
    ]
    return spec


def lines() -> dict:
    """Rows {year, series, value, dashed}: one line per series (trajectories, comparisons)."""
    spec = _base(260)
    spec["data"] = [
        {
            "name": "table",
            "values": [],
            "transform": [{"type": "filter", "expr": "isValid(datum.value)"}],
        }
    ]
    spec["scales"] = [
        {
            "name": "x",
            "type": "linear",
            "range": "width",
            "zero": False,
            "domain": {"data": "table", "field": "year"},
        },
        {
            "name": "y",
            "type": "linear",
            "range": "height",
            "nice": True,
            "zero": True,
            "domain": {"data": "table", "field": "value"},
        },
        {
            "name": "color",
            "type": "ordinal",
            "range": PALETTE,
            "domain": {"data": "table", "field": "series"},
        },
    ]
    spec["axes"] = [
        {"orient": "bottom", "scale": "x", "format": "d", "tickMinStep": 1, "labelOverlap": True},
        {"orient": "left", "scale": "y", "title": {"signal": "unit"}, "grid": True},
    ]
    spec["legends"] = [{"stroke": "color", "orient": "bottom", "symbolType": "stroke"}]
    spec["marks"] = [
        {
            "type": "group",
            "from": {"facet": {"name": "series_rows", "data": "table", "groupby": "series"}},
            "marks": [
                {
                    "type": "line",
                    "from": {"data": "series_rows"},
                    "encode": {
                        "enter": {
                            "x": {"scale": "x", "field": "year"},
                            "y": {"scale": "y", "field": "value"},
                            "stroke": {"scale": "color", "field": "series"},
                            "strokeWidth": {"value": 2},
                            "strokeDash": {"signal": "datum.dashed ? [5, 3] : [1, 0]"},
                        }
                    },
                },
                {
                    "type": "symbol",
                    "from": {"data": "series_rows"},
                    "encode": {
                        "enter": {
                            "x": {"scale": "x", "field": "year"},
                            "y": {"scale": "y", "field": "value"},
                            "size": {"value": 30},
                            "fill": {"scale": "color", "field": "series"},
                            "fillOpacity": {"value": 0.35},
                            "tooltip": {
                                "signal": "{'år': datum.year, 'serie': datum.series, "
                                "'värde': format(datum.value, ',.2f') + ' ' + unit}"
                            },
                        }
                    },
                },
            ],
        }
    ]
    return spec


def horizontal_bars() -> dict:
    """Rows {label, value, highlight}: one bar per label, the highlighted one in red."""
    spec = _base(200)
    spec["signals"].append({"name": "bar_height", "value": 24})  # site.js: height = rows × this
    spec["data"] = [{"name": "table", "values": []}]
    spec["scales"] = [
        {
            "name": "y",
            "type": "band",
            "range": "height",
            "domain": {"data": "table", "field": "label"},
            "padding": 0.15,
        },
        {
            "name": "x",
            "type": "linear",
            "range": "width",
            "nice": True,
            "zero": True,
            "domain": {"data": "table", "field": "value"},
        },
    ]
    spec["axes"] = [
        {"orient": "left", "scale": "y", "labelLimit": 160},
        {
            "orient": "bottom",
            "scale": "x",
            "title": {"signal": "unit"},
            "grid": True,
            "labelOverlap": True,
        },
    ]
    spec["marks"] = [
        {
            "type": "rect",
            "from": {"data": "table"},
            "encode": {
                "enter": {
                    "y": {"scale": "y", "field": "label"},
                    "height": {"scale": "y", "band": 1},
                    "x": {"scale": "x", "value": 0},
                    "x2": {"scale": "x", "field": "value"},
                    "fill": {"signal": f"datum.highlight ? '{PALETTE[1]}' : '{PALETTE[0]}'"},
                    "tooltip": {
                        "signal": "{'': datum.label, 'värde': format(datum.value, ',.2f') + ' ' "
                        "+ unit}"
                    },
                }
            },
        }
    ]
    return spec


def choropleth() -> dict:
    """Rows {kommun_kod, kommun_namn, value} joined to assets/kommuner.geojson: t per resident."""
    spec = _base(560)
    spec["autosize"] = "none"
    spec["signals"] += [
        {"name": "width", "value": 320},
        {"name": "height", "value": 640},
        {"name": "highlight", "value": ""},  # site.js: the kommun_kod the page is about
    ]
    spec.pop("width"), spec.pop("height")
    spec["data"] = [
        {"name": "table", "values": []},
        {
            "name": "kommuner",
            "url": "assets/kommuner.geojson",
            "format": {"type": "json", "property": "features"},
            "transform": [
                {
                    "type": "lookup",
                    "from": "table",
                    "key": "kommun_kod",
                    "fields": ["properties.kommun_kod"],
                    "as": ["row"],
                }
            ],
        },
        {
            "name": "highlighted",
            "source": "kommuner",
            "transform": [{"type": "filter", "expr": "datum.properties.kommun_kod === highlight"}],
        },
    ]
    spec["projections"] = [
        {
            "name": "projection",
            "type": "mercator",
            "size": {"signal": "[width, height]"},
            "fit": {"signal": "data('kommuner')"},
        }
    ]
    spec["scales"] = [
        {
            "name": "color",
            "type": "quantile",
            "domain": {"data": "table", "field": "value"},
            "range": {"scheme": "orangered", "count": 7},
        }
    ]
    spec["legends"] = [
        {
            "fill": "color",
            "type": "symbol",
            "orient": "top-left",
            "title": {"signal": "unit"},
            "format": ".1f",
            "symbolType": "square",
        }
    ]
    spec["marks"] = [
        {
            "type": "shape",
            "name": "kommun_shapes",
            "from": {"data": "kommuner"},
            "encode": {
                "enter": {
                    "fill": {
                        "signal": "datum.row && isValid(datum.row.value) ? scale('color', "
                        "datum.row.value) : '#cccccc'"
                    },
                    "stroke": {"value": "#ffffff"},
                    "strokeWidth": {"value": 0.3},
                    "cursor": {"value": "pointer"},
                    "tooltip": {
                        "signal": "{'kommun': datum.properties.kommun_namn, 'värde': datum.row ? "
                        "format(datum.row.value, ',.2f') + ' ' + unit : 'uppgift saknas'}"
                    },
                },
                "hover": {"strokeWidth": {"value": 1.5}, "stroke": {"value": "#000000"}},
                "update": {"strokeWidth": {"value": 0.3}, "stroke": {"value": "#ffffff"}},
            },
            "transform": [{"type": "geoshape", "projection": "projection"}],
        },
        {
            # The page's kommun drawn again on top with a thick outline, so it stands out.
            "type": "shape",
            "name": "highlight_outline",
            "from": {"data": "highlighted"},
            "interactive": False,
            "encode": {
                "enter": {
                    "fill": {"value": "transparent"},
                    "stroke": {"value": "#0b63ce"},
                    "strokeWidth": {"value": 3},
                },
            },
            "transform": [{"type": "geoshape", "projection": "projection"}],
        },
    ]
    return spec


SPECS = {
    "stacked_bars": stacked_bars,
    "lines": lines,
    "horizontal_bars": horizontal_bars,
    "choropleth": choropleth,
}
