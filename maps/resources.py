"""The resource map: agencies as clustered markers coloured by category.

Tens of thousands of agencies stay responsive because each category is one
`FastMarkerCluster` whose markers are made in the browser from compact rows
by a JavaScript callback (50,000 folium `Marker`s would make a ~40 MB file).
Every text from the data passes `esc` in Python before it reaches the page
(HTML-escaped, with Jinja braces, `$`, backticks and backslashes as character
references); the callback only concatenates such strings.
"""
from __future__ import annotations

import json

import folium
from folium.plugins import FastMarkerCluster
from folium.template import Template

from .common import (
    APPROXIMATE,
    CATEGORY_COLORS,
    PLACEMENT_LABELS,
    SAMPLE,
    UNCATEGORISED,
    UNCATEGORISED_COLOR,
    add_legend,
    add_outlines_offline,
    category_color,
    check_location,
    esc,
    new_map,
    swatch,
)

__all__ = ["resource_map"]

# Compact row: lat, lon, name, type, phone, address, placement, id (strings escaped).
_CALLBACK = """function (row) {
  var approx = %(approx)s, labels = %(labels)s, url = %(url)s;
  var loose = approx.indexOf(row[6]) >= 0;
  var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
    radius: loose ? 7 : 6, color: %(color)s, weight: loose ? 2 : 1,
    dashArray: loose ? '3 3' : null, fillColor: %(color)s,
    fillOpacity: loose ? 0 : 0.85, className: loose ? 'yg-agency yg-approx' : 'yg-agency'});
  var name = url ? '<a target="_top" href="' + url.replace('{id}', row[7]) + '">' + row[2] + '</a>' : row[2];
  var html = '<div class="yg-popup"><b>' + name + '</b><br>' + row[3];
  if (row[4]) { html += '<br>☎ <a href="tel:' + row[4] + '">' + row[4] + '</a>'; }
  if (row[5]) { html += '<br>' + row[5]; }
  html += '<br><span class="' + (loose ? 'approx' : 'placement') + '">' + (labels[row[6]] || row[6]) + '</span></div>';
  marker.bindPopup(html, {maxWidth: 280});
  marker.bindTooltip(row[2] + (loose ? ' (대략적 위치)' : ''));
  return marker;
}"""

_ICON_FUNCTION = """
function (cluster) {
  var n = cluster.getChildCount();
  var size = n < 10 ? 28 : (n < 100 ? 34 : (n < 1000 ? 40 : 46));
  return L.divIcon({
    html: '<div style="background:%(color)s;opacity:.85;color:#fff;border-radius:50%%;width:' + size +
          'px;height:' + size + 'px;line-height:' + size + 'px;text-align:center;font:bold 12px sans-serif">' + n + '</div>',
    className: 'marker-cluster yg-cluster', iconSize: L.point(size, size)});
}
"""


class _CompactCluster(FastMarkerCluster):
    """FastMarkerCluster whose rows are written as compact UTF-8 JSON.

    folium's `tojson` escapes every Hangul syllable to six ASCII bytes; at
    50,000 agencies that doubles the file. The rows hold only `esc`-ed
    strings and numbers (branca compiles this element's output as a template
    again, so a data `{{` here would run on the server); `<`, `>` and `&` are still written as \\u escapes so
    nothing in the data can close the <script> block.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = {{ this.rows_json }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                {%- if this.icon_create_function is not none %}
                cluster.options.iconCreateFunction = {{ this.icon_create_function.strip() }};
                {%- endif %}
                for (var i = 0; i < data.length; i++) {
                    callback(data[i]).addTo(cluster);
                }
                cluster.addTo({{ this._parent.get_name() }});
                return cluster;
            })();
        {% endmacro %}"""
    )

    def __init__(self, rows, callback, **kwargs):
        super().__init__([], callback=callback, **kwargs)
        self.rows_json = (json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
                          .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def resource_map(
    agencies: list[dict],
    *,
    tiles: str | None = None,
    agency_url: str | None = None,
    title: str = "지역 자원 지도",
) -> folium.Map:
    """A map of `agencies` (dicts with lat, lon, name, type, category, phone, address, placement).

    One toggleable clustered layer per category, a Korean legend, popups with
    name, type, phone (a tel: link), address and placement precision.
    Agencies placed only at a 읍면동/시군구 centre are drawn hollow and dashed
    and labelled "대략적 위치" so nobody drives to a centroid.
    `agency_url` (e.g. "/agencies/{id}") links each name to its page.

    >>> m = resource_map([{"id": 1, "name": "치매안심센터", "lat": 37.5, "lon": 127.0,
    ...                     "category": "보건의료", "placement": "exact"}], tiles="none")
    >>> type(m).__name__
    'Map'
    """
    groups: dict[str, list] = {}
    counts: dict[str, int] = {}
    approx = 0
    lats, lons = [], []
    for agency in agencies:
        lat, lon = check_location(agency.get("lat"), agency.get("lon"), what=f"기관 {agency.get('id')!r}")
        category = agency.get("category") or UNCATEGORISED
        placement = agency.get("placement") or "unplaced"
        approx += placement in APPROXIMATE or placement == SAMPLE
        address = agency.get("road_address") or agency.get("lot_address") or agency.get("address")
        groups.setdefault(category, []).append([
            round(lat, 5), round(lon, 5), esc(agency.get("name")), esc(agency.get("type") or "유형 미상"),
            esc(agency.get("phone")), esc(address), esc(placement), int(agency.get("id") or 0),
        ])
        counts[category] = counts.get(category, 0) + 1
        lats.append(lat)
        lons.append(lon)
    m = new_map(tiles=tiles)
    if lats:
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], max_zoom=15)
        add_outlines_offline(m, [(min(lats), min(lons)), (max(lats), max(lons))], tiles)
    else:
        add_outlines_offline(m, [], tiles)
    order = [c for c in CATEGORY_COLORS if c in groups] + [c for c in groups if c not in CATEGORY_COLORS]
    labels = {k: esc(v) for k, v in PLACEMENT_LABELS.items()}
    for category in order:
        color = category_color(category if category != UNCATEGORISED else None)
        callback = _CALLBACK % {
            "approx": json.dumps(sorted(APPROXIMATE | {SAMPLE})),
            "labels": json.dumps(labels, ensure_ascii=False),
            "url": json.dumps(agency_url),
            "color": json.dumps(color),
        }
        _CompactCluster(
            groups[category],
            callback=callback,
            name=f"{esc(category)} ({counts[category]:,})",
            icon_create_function=_ICON_FUNCTION % {"color": color},
            disableClusteringAtZoom=14,
            chunkedLoading=True,
        ).add_to(m)
    if groups:
        folium.LayerControl(collapsed=False).add_to(m)
    rows = [swatch(category_color(c if c != UNCATEGORISED else None), f"{c} ({counts[c]:,})") for c in order]
    rows.append(swatch("#333", "대략적 위치 (읍면동·시군구 중심)", "hollow"))
    notes = [f"기관 {len(lats):,}곳"]
    if approx:
        notes.append(f"속이 빈 점선 원 {approx:,}곳: 대략적 위치 — 실제 주소를 확인하세요")
    if not lats:
        notes.append("표시할 위치가 있는 기관이 없습니다")
    add_legend(m, title, rows, notes)
    return m


def colors_for_legend() -> dict[str, str]:
    """Category -> colour, including the colour of uncategorised agencies."""
    return {**CATEGORY_COLORS, UNCATEGORISED: UNCATEGORISED_COLOR}
