"""What every map shares: errors, colours, labels, base tiles, the legend box.

MapError joins the core's error family (directory.errors): it carries a code
and parameters, worded in directory/messages.py; the shells translate it.
"""
from __future__ import annotations

import html
import math
import os

import folium
from folium.template import Template

from directory.errors import YeongyeError
from directory.vocabulary import CENTROIDS as APPROXIMATE, PLACEMENT_LABELS, SAMPLE  # noqa: F401  (re-exported)

from .outlines import add_outlines

__all__ = [
    "APPROXIMATE", "PLACEMENT_LABELS", "SAMPLE",  # re-exported
    "TILES_ENV", "TILES_ATTR_ENV", "DEFAULT_CENTER", "DEFAULT_ZOOM", "CATEGORY_COLORS", "UNCATEGORISED",
    "UNCATEGORISED_COLOR", "CONTENT_COLORS", "NO_CONTENT", "NO_CONTENT_COLOR", "SAMPLE_LABEL", "MapError",
    "esc", "category_color", "check_location", "resolve_tiles", "new_map", "Markup", "html_popup",
    "add_legend", "add_outlines_offline", "swatch", "fit", "LEGEND_FOLD_WIDTH",
]

TILES_ENV = "YEONGYE_TILES"
TILES_ATTR_ENV = "YEONGYE_TILES_ATTR"
DEFAULT_CENTER = (36.35, 127.8)  # the middle of South Korea
DEFAULT_ZOOM = 7

# The study's 7 categories (Korean names are the store's values).
CATEGORY_COLORS = {
    "공공기관": "#1f77b4",
    "복지기관": "#2ca02c",
    "보건의료": "#d62728",
    "자원봉사": "#ff7f0e",
    "일자리": "#9467bd",
    "모임": "#8c564b",
    "기타": "#7f7f7f",
}
UNCATEGORISED = "미분류"
UNCATEGORISED_COLOR = "#17becf"

# The study's five content types, by code (data/reference/content_types.csv).
CONTENT_COLORS = {
    "referral": "#e41a1c",
    "resources": "#377eb8",
    "information": "#4daf4a",
    "programs": "#984ea3",
    "meetings": "#ff7f00",
}
NO_CONTENT = "내용 미기록"
NO_CONTENT_COLOR = "#666666"

# Placement precision (how far a marker may be from the real door): the
# labels, the centroid kinds (APPROXIMATE here: drawn hollow) and SAMPLE are
# directory.vocabulary's.
SAMPLE_LABEL = PLACEMENT_LABELS[SAMPLE]


class MapError(YeongyeError, ValueError):
    """A map cannot be drawn as asked (bad coordinates, nothing to show, bad option)."""

    code = "map_error"


# Characters html.escape leaves alone that still mean something where map text
# lands: `{` `}` open Jinja blocks (branca re-parses every element's rendered
# output as a template, so data inside a popup, tooltip, layer name or GeoJSON
# property is template source), `$` and the backtick open `${…}` and close the
# JavaScript template literals folium writes popups and tooltips into, a
# backslash starts an escape there, and a raw newline ends a quoted JS string.
_INERT = str.maketrans({
    "{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;", "\\": "&#92;",
    "\n": "&#10;", "\r": "&#13;", "\u2028": "&#8232;", "\u2029": "&#8233;",
})


def esc(value) -> str:
    """Text of any value from the data, inert wherever a map puts it ('' for None).

    The one function every data string passes through before it reaches
    folium: HTML-escaped (`<`, `>`, `&`, both quotes) and with `{`, `}`, `$`,
    the backtick, the backslash and line breaks as numeric character
    references. The result holds no Jinja delimiter (`{{`, `{%`, `{#`), cannot
    end or interpolate a JS template literal or a quoted JS string, and opens
    no tag or attribute; the browser shows the original text, since every
    place it lands (popup, tooltip, layer control, legend, DivIcon) is HTML.
    Pass raw data, never this function's output: twice escaped, the
    entities would show as text.

    >>> esc("해킹{{ 7*7 }} ${alert(1)} `x`")
    '해킹&#123;&#123; 7*7 &#125;&#125; &#36;&#123;alert(1)&#125; &#96;x&#96;'
    """
    return "" if value is None else html.escape(str(value), quote=True).translate(_INERT)


def category_color(category: str | None) -> str:
    """The marker colour of a category."""
    return CATEGORY_COLORS.get(category or "", UNCATEGORISED_COLOR)


def check_location(lat, lon, what: str = "위치") -> tuple[float, float]:
    """(lat, lon) as floats, or MapError naming the bad value."""
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        raise MapError("map_coordinates_not_numbers", what=what, lat=lat, lon=lon) from None
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        raise MapError("map_coordinates_out_of_range", what=what, lat=lat, lon=lon)
    return la, lo


def resolve_tiles(tiles: str | None = None) -> str | None:
    """The tile setting: the argument, else $YEONGYE_TILES, else OpenStreetMap; 'none' gives None."""
    value = tiles if tiles is not None else os.environ.get(TILES_ENV, "")
    value = (value or "OpenStreetMap").strip()
    if value.lower() in ("none", "off", "no", "blank"):
        return None
    return value


def new_map(location=None, zoom_start: int = DEFAULT_ZOOM, tiles: str | None = None, **kwargs) -> folium.Map:
    """A folium.Map with the configured base tiles and a plain background when tiles fail.

    `tiles` is 'OpenStreetMap' (default), any folium/xyzservices tile name, a
    URL template with {z}/{x}/{y} (attribution from $YEONGYE_TILES_ATTR), or
    'none' for no tiles at all: boundaries, markers and lines still draw on a
    plain background, which is what a closed network without a tile server sees.
    """
    lat, lon = check_location(*(location or DEFAULT_CENTER), what="지도 중심")
    setting = resolve_tiles(tiles)
    # folium's control_scale shows miles and feet beside metres: the scale is added metric only.
    m = folium.Map(location=[lat, lon], zoom_start=zoom_start, tiles=None, control_scale=False, **kwargs)
    _MetricScale().add_to(m)
    # Without a tile layer Leaflet has no maxZoom, and marker clustering refuses to start.
    m.options.setdefault("maxZoom", 19)
    if setting is not None:
        attr = None
        if "{z}" in setting:
            attr = os.environ.get(TILES_ATTR_ENV) or "지도 타일"
        try:
            folium.TileLayer(setting, attr=attr, name="배경 지도", control=False).add_to(m)
        except ValueError as exc:
            raise MapError("unknown_tiles", setting=setting, detail=str(exc)) from exc
    m.get_root().header.add_child(
        folium.Element(
            "<style>html body .leaflet-container{background:" + ("#f3f1ec" if setting else "#dfe7ea") + ";}"
            ".yg-legend{position:absolute;z-index:1000;bottom:52px;left:10px;background:#fff;"
            "padding:6px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);"
            "font:12px/1.45 sans-serif;max-width:270px;max-height:60%;overflow:auto;}"
            ".yg-legend h4{display:inline;margin:0 0 4px;font-size:13px;} .yg-legend summary{cursor:pointer;}"
            ".yg-legend:not([open]){padding:0 12px;} .yg-legend:not([open]) summary{min-height:44px;line-height:44px;}"
            "@media (max-height:520px){.yg-legend{max-height:45%;font-size:11px;}}"
            "@media (max-width:600px){.yg-legend{max-width:calc(100% - 80px);max-height:50%;}"
            ".yg-legend summary{min-height:44px;line-height:44px;}}"
            ".yg-legend i{display:inline-block;width:11px;height:11px;border-radius:50%;"
            "margin-right:5px;vertical-align:middle;}"
            ".yg-legend i.hollow{background:#fff!important;border:2px dashed #333;width:8px;height:8px;}"
            ".yg-legend i.line{border-radius:0;height:4px;width:18px;}"
            ".yg-legend i.box{border-radius:2px;}"
            ".yg-legend .note{color:#555;margin-top:4px;}"
            ".yg-popup b{font-size:13px;} .yg-popup .approx{color:#b00;font-weight:bold;}</style>"
        ),
        name="yeongye_map_style",
    )
    return m


class _MetricScale(folium.MacroElement):
    """Leaflet's scale bar in metres and kilometres only."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


class Markup(folium.Element):
    """Ready-made HTML placed in the page as a template *value*, never compiled as template source.

    `folium.Element(text)` makes `text` a Jinja template; this element's
    template is fixed and the markup is its variable, so nothing in it is
    evaluated even if a `{{` slipped past `esc`.
    """

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str):
        super().__init__()
        self._name = "Markup"
        self.markup = markup


def html_popup(markup: str, max_width: int = 300) -> folium.Popup:
    """A popup of ready-made HTML (built from `esc`-ed data), shown as HTML, escaped once.

    folium's `Popup(text, parse_html=True)` HTML-escapes the text again, so
    the visitor saw `<div class=...>`; `Html(script=True)` embeds it as is.
    """
    # The pan that brings an opened popup into view keeps it clear of the zoom and layer buttons.
    return folium.Popup(folium.Html(markup, script=True), max_width=max_width, auto_pan_padding=(56, 64))


# A phone-sized map (an iframe 600 px wide or less) starts with the legend folded to its title:
# open, it covers half the map and the complex under it.
LEGEND_FOLD_WIDTH = 600
_FOLD = ("<script>if (window.matchMedia('(max-width: %dpx)').matches) "
         "{document.getElementById('yg-legend').removeAttribute('open');}</script>" % LEGEND_FOLD_WIDTH)


def add_legend(m: folium.Map, title: str, rows: list[str], notes: list[str] = ()) -> None:
    """A Korean legend box in the bottom-left corner; rows and notes are ready-made HTML, the title is text.

    Open on a wide screen, folded to a 44 px toggle ("범례 · title") on a
    narrow one (≤ LEGEND_FOLD_WIDTH px).
    """
    body = "".join(f"<div>{row}</div>" for row in rows)
    notes = list(notes)
    if "yeongye_outlines" in m._children and m._children["yeongye_outlines"].z_index > 200:
        notes.append("배경 지도 없이 그림: 선은 시도·시군구 경계 (서울은 확대하면 행정동까지)")
    foot = "".join(f'<div class="note">{note}</div>' for note in notes)
    m.get_root().html.add_child(
        Markup(f'<details class="yg-legend" id="yg-legend" open><summary><h4>범례 · {esc(title)}</h4></summary>'
               f'{body}{foot}</details>{_FOLD}'),
        name="yeongye_legend",
    )


def add_outlines_offline(m: folium.Map, points, tiles: str | None = None) -> None:
    """Draw the shipped 시도/시군구 (Seoul 행정동) outlines for the view of `points` (empty: the country).

    Without tiles they are the map's background; with tiles they lie under
    the tiles, seen only where a closed network keeps the tiles from loading.
    """
    points = list(points)
    bounds = None
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        bounds = ((min(lats), min(lons)), (max(lats), max(lons)))
    add_outlines(m, bounds, under_tiles=resolve_tiles(tiles) is not None)


def swatch(color: str, label: str, kind: str = "") -> str:
    """One legend line: a coloured dot (or hollow ring, line, box) and an escaped label."""
    style = "" if kind == "hollow" else f' style="background:{color}"'
    return f'<i class="{kind}"{style}></i>{esc(label)}'


def fit(m: folium.Map, points: list[tuple[float, float]], max_zoom: int = 15) -> None:
    """Zoom the map to show every point (one point: centre on it)."""
    if not points:
        return
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    if len(points) == 1 or (max(lats) - min(lats) < 1e-6 and max(lons) - min(lons) < 1e-6):
        m.location = [lats[0], lons[0]]
        m.options["zoom"] = min(max_zoom, 15)
        return
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], max_zoom=max_zoom)
