"""Front-end assets served from the app (XStatic packages), never from a CDN.

A folium 0.20 map saved as is references 13 CDN files (Leaflet, jQuery,
Bootstrap, Font Awesome, Leaflet.awesome-markers and its rotate CSS, the
Bootstrap 3 glyphicons, and Leaflet.markercluster). Closed government
networks cannot reach them, so every map here is rendered with each link
pointing at a locally installed copy:

* for web pages, at the app's asset route (`localize(m, url_for)`);
* for standalone files, inlined into the HTML (`standalone_html(m)`), with the
  images and fonts the stylesheets need as data: URIs.

folium keeps `default_js`/`default_css` as class-level lists shared by every
map in the process, so they are never mutated: each element of the map being
rendered gets its own instance-level copy.

Three CDN files have no packaged copy (awesome-markers' JS and CSS, its
rotate CSS, the glyphicons CSS). They only serve `folium.Icon`, which these
maps never use (they draw circles and `DivIcon`s); they are dropped, and a
map holding a `folium.Icon` is refused rather than shipped half broken.
"""
from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

import folium
from folium.elements import JSCSSMixin

from .common import MapError

__all__ = [
    "LOCAL_FILES", "INLINE_SCHEME", "AssetMissing", "package_dir", "asset_file", "localize", "render_page",
    "standalone_html", "save_standalone",
]

# Local name -> (XStatic module, file inside its data folder)
_PACKAGES = {
    "leaflet": "xstatic.pkg.leaflet",
    "leaflet_markercluster": "xstatic.pkg.leaflet_markercluster",
    "jquery": "xstatic.pkg.jquery",
    "bootstrap": "xstatic.pkg.bootstrap",
    "font_awesome": "xstatic.pkg.font_awesome",
    "d3": "xstatic.pkg.d3",  # the sociogram's force layout (web/sociogram.py), not the maps
}

# folium's resource name -> (package, path); None means dropped (see above).
LOCAL_FILES: dict[str, tuple[str, str] | None] = {
    "leaflet": ("leaflet", "leaflet.js"),
    "leaflet_css": ("leaflet", "leaflet.css"),
    "jquery": ("jquery", "jquery.min.js"),
    "bootstrap": ("bootstrap", "js/bootstrap.bundle.min.js"),
    "bootstrap_css": ("bootstrap", "css/bootstrap.min.css"),
    "awesome_markers_font_css": ("font_awesome", "css/all.min.css"),
    "markerclusterjs": ("leaflet_markercluster", "leaflet.markercluster.js"),
    "markerclustercss": ("leaflet_markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet_markercluster", "MarkerCluster.Default.css"),
    "awesome_markers": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
    "glyphicons_css": None,
}

INLINE_SCHEME = "yeongye-asset:"


class AssetMissing(MapError):
    """A map needs a front-end file that has no local copy."""

    code = "asset_missing"


def package_dir(package: str) -> Path:
    """The data folder of one of the XStatic packages the maps use."""
    if package not in _PACKAGES:
        raise AssetMissing("unknown_asset_package", package=package)
    import importlib

    module = importlib.import_module(_PACKAGES[package])
    return Path(module.BASE_DIR)


def asset_file(package: str, path: str) -> Path:
    """The file behind an asset URL, refusing anything outside the package folder."""
    base = package_dir(package).resolve()
    target = (base / path).resolve()
    if base not in target.parents or not target.is_file():
        raise AssetMissing("asset_file_missing", package=package, path=path)
    return target


def _elements(element):
    yield element
    for child in list(element._children.values()):
        yield from _elements(child)


def localize(m: folium.Map, url_for) -> folium.Map:
    """Point every JS/CSS link of `m` at a local copy; `url_for(package, path)` makes the URL.

    Only the map's own elements change (instance attributes); folium's
    class-level lists stay untouched for every other map in the process.
    """
    for element in _elements(m):
        if isinstance(element, folium.Icon):
            raise AssetMissing("folium_icon_offline")
        if not isinstance(element, JSCSSMixin):
            continue
        for attr in ("default_js", "default_css"):
            links = []
            for name, url in getattr(element, attr):
                if url.startswith(INLINE_SCHEME) or not url.startswith(("http://", "https://", "//")):
                    links.append((name, url))
                    continue
                if name not in LOCAL_FILES:
                    raise AssetMissing("asset_not_local", name=name, url=url)
                local = LOCAL_FILES[name]
                if local is not None:
                    links.append((name, url_for(*local)))
            setattr(element, attr, links)
    return m


def render_page(m: folium.Map, url_for) -> str:
    """The map as a full HTML page whose assets come from `url_for(package, path)`."""
    localize(m, url_for)
    return m.get_root().render()


_SCRIPT = re.compile(r'<script src="' + re.escape(INLINE_SCHEME) + r'([^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="' + re.escape(INLINE_SCHEME) + r'([^"]+)"/>')
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
_INLINE_TYPES = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml", ".woff2": "font/woff2"}


def _split(ref: str) -> tuple[str, str]:
    package, _, path = ref.partition("/")
    return package, path


def _inline_css(package: str, path: str) -> str:
    css = asset_file(package, path).read_text(encoding="utf-8")
    folder = Path(path).parent

    def replace(match):
        ref = match.group(1)
        if ref.startswith(("data:", "#")):
            return match.group(0)
        clean = ref.split("?")[0].split("#")[0]
        suffix = Path(clean).suffix.lower()
        if suffix not in _INLINE_TYPES:
            # .ttf/.eot fallbacks: every browser that runs Leaflet reads woff2.
            return "url(data:,)"
        try:
            data = asset_file(package, str(folder / clean)).read_bytes()
        except AssetMissing:
            return "url(data:,)"
        mime = _INLINE_TYPES.get(suffix) or mimetypes.guess_type(clean)[0]
        return f"url(data:{mime};base64,{base64.b64encode(data).decode('ascii')})"

    return _CSS_URL.sub(replace, css)


def _script_text(package: str, path: str) -> str:
    text = asset_file(package, path).read_text(encoding="utf-8")
    # A literal "</script" inside the library would end the inline block early.
    return text.replace("</script", "<\\/script")


def standalone_html(m: folium.Map) -> str:
    """The map as one self-contained HTML file: every script and stylesheet inlined."""
    localize(m, lambda package, path: f"{INLINE_SCHEME}{package}/{path}")
    html = m.get_root().render()
    html = _SCRIPT.sub(lambda mt: "<script>" + _script_text(*_split(mt.group(1))) + "</script>", html)
    html = _CSS.sub(lambda mt: "<style>" + _inline_css(*_split(mt.group(1))) + "</style>", html)
    return html


def save_standalone(m: folium.Map, path) -> Path:
    """Write the standalone HTML of `m` to `path` (UTF-8); returns the path."""
    path = Path(path)
    path.write_text(standalone_html(m), encoding="utf-8")
    return path
