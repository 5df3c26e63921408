"""Hostile names: agency text that looks like a template, script or JS must stay text everywhere.

The fixture lists in tests/fixtures/hostile/ are imported through the real
importers (a tabular agency list, the study's matrix and complexes profile)
into a copy of the demo store, linked to a complex, and then every map is
drawn and every page, report, export and API answer fetched. On the server
nothing may be evaluated (`{{ 7*7 }}` never becomes 49, `{% if %}` never
picks a branch, `os.popen('id')` never runs) and nothing may fail; in
Chromium no dialog may open and no script error may happen, while markers
and popups still show the literal names.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from markupsafe import escape

from directory import accounts
from directory.store import connect
from importers import import_file
from maps.access import access_map
from maps.assets import render_page, standalone_html
from maps.common import esc
from maps.network import agency_map, complex_map, district_map
from directory.store import mappable_agencies
from maps.resources import resource_map
from network.access import accessibility
from network.links import set_link

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
PASSWORD = "correct-horse-1"
COMPLEX = "해킹단지{{ 7*7 }}${alert(6)}`"
MATRIX_AGENCY = "매트릭스{% if 1 %}참{% endif %}<img src=x onerror=alert(7)>기관"
# Where the complex is put (the study gives no positions; demo.py places its complexes the same way).
COMPLEX_AT = (37.5720, 126.9900)

# What the page would hold had a template or script in the data been evaluated.
EVALUATED = [
    "CMD49",  # 해킹CMD{{ 7*7 }}끝센터 (a centre type, so a name with 센터: importers.naming gives a centre named otherwise its place name)
    "조건참센터",  # 조건{% if 1 %}참{% endif %}센터
    "매트릭스참",  # the matrix agency's {% if %}
    "클래스<class",  # {{ ''.__class__ }}
    "uid=0(",  # {{ lipsum.__globals__.os.popen('id').read() }} as root (also checked as any uid below)
    "단지49",  # the complex
    "유형49",  # a type outside the taxonomy, kept raw
]


def _hostile_names() -> list[str]:
    with open(FIXTURES / "agencies.csv", encoding="utf-8", newline="") as fh:
        return [row["기관명"] for row in csv.DictReader(fh)]


NAMES = _hostile_names()
HOSTILE_TEXT = NAMES + [COMPLEX, MATRIX_AGENCY, "{{ 7*7 }}", "{% if 1 %}x{% endif %}", "${alert(2)}", "x`;y;`",
                        "'\"", "</script><script>alert(3)</script>", "<img src=x onerror=alert(4)>", "\\"]


def build_hostile_store(path: Path, demo_db_path: Path) -> dict:
    """The demo store plus the hostile lists, imported the standard way; returns the ids made."""
    shutil.copy(demo_db_path, path)
    db = connect(path)
    try:
        summary = import_file(db, FIXTURES / "agencies.csv")
        assert summary.imported == len(NAMES) and summary.quarantined == 0, summary
        matrix = import_file(db, FIXTURES / "linkage_matrix.csv", complexes=FIXTURES / "complexes.csv")
        assert matrix.quarantined == 0, matrix
        complex_id = db.execute("SELECT id FROM complexes WHERE name = ?", [COMPLEX]).fetchone()[0]
        db.execute("UPDATE complexes SET sido = '서울특별시', sigungu = '중구', lat = ?, lon = ?, placement = 'exact' "
                   "WHERE id = ?", [*COMPLEX_AT, complex_id])
        db.conn.commit()
        ids = {name: db.execute("SELECT id FROM agencies WHERE name = ?", [name]).fetchone()[0] for name in NAMES}
        for n, agency_id in enumerate(ids.values()):
            set_link(db, complex_id, agency_id, 1 + n % 5, ["referral", "programs"][: 1 + n % 2],
                     note="{{ 7*7 }} ${alert(1)} `x`;y;` 메모")
        matrix_id = db.execute("SELECT id FROM agencies WHERE name = ?", [MATRIX_AGENCY]).fetchone()[0]
        return {"complex": complex_id, "agencies": ids, "matrix_agency": matrix_id}
    finally:
        db.conn.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, demo_db_path):
    """(path of the hostile store, the ids it holds), built once for the module (copy before writing)."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    return path, build_hostile_store(path, demo_db_path)


@pytest.fixture
def hostile_db(hostile, tmp_path):
    path = tmp_path / "h.db"
    shutil.copy(hostile[0], path)
    db = connect(path)
    yield db
    db.conn.close()


@pytest.fixture
def hostile_app(hostile, tmp_path, monkeypatch):
    from web import create_app

    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")
    path = tmp_path / "app.db"
    shutil.copy(hostile[0], path)
    db = connect(path)
    accounts.create_user(db, "admin", PASSWORD, "admin")
    db.conn.close()
    return create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})


# --- checks ------------------------------------------------------------------


def plain(text: str) -> str:
    """What a visitor reads: JSON's \\u escapes and one level of HTML character references undone."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text)


def assert_not_evaluated(text: str, where: str) -> None:
    seen = plain(text)
    for marker in EVALUATED:
        assert marker not in seen, f"{where}: {marker!r} — data was evaluated"
    assert not re.search(r"uid=\d+\(", seen), f"{where}: the output of `id` — a shell command ran"


def assert_map_inert(page: str, where: str) -> None:
    """A map page: nothing evaluated, and no data character left that opens a tag, a template or a JS literal."""
    assert_not_evaluated(page, where)
    for raw in ("${alert", "x`;y;`", "<script>alert", "<img src=x", "{{ 7*7 }}", "{% if 1 %}", "{{ ''", "\\u0041\\"):
        assert raw not in page, f"{where}: raw {raw!r} in the map"


# --- the one escaping function -------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_esc_leaves_no_active_character_and_reads_back(text):
    out = esc(text)
    assert not set(out) & set("{}$`\\<>\"'\n")
    assert html.unescape(out) == text


def test_esc_of_none_is_empty():
    assert esc(None) == ""


# --- maps drawn on the server ---------------------------------------------------


def _url(package, path):
    return f"/maps/assets/{package}/{path}"


def test_resource_map_of_hostile_agencies_is_inert(hostile_db):
    agencies = mappable_agencies(hostile_db)
    page = render_page(resource_map(agencies, tiles="none", agency_url="/agencies/{id}", title=COMPLEX), _url)
    assert_map_inert(page, "resource map")
    for name in NAMES:
        assert name in plain(page), name  # the literal name is in the page, escaped once
    assert esc(COMPLEX) in page  # the title, in the legend


def test_resource_map_escapes_every_field():
    """Type, phone, address and placement reach the popup too; a store may hold any text in them."""
    agencies = [{"id": i + 1, "name": text, "type": text, "category": text, "phone": text, "road_address": text,
                 "placement": text, "lat": 37.5 + i / 1000, "lon": 127.0} for i, text in enumerate(HOSTILE_TEXT)]
    page = standalone_html(resource_map(agencies, tiles="none", title=HOSTILE_TEXT[0]))
    assert_map_inert(page, "resource map, every field")


@pytest.mark.parametrize("kind", ["complex", "district", "agency", "matrix agency"])
def test_network_maps_of_hostile_names_are_inert(hostile, hostile_db, kind):
    ids = hostile[1]
    urls = {"agency_url": "/agencies/{id}", "complex_url": "/complexes/{id}"}
    if kind == "complex":
        m = complex_map(hostile_db, ids["complex"], tiles="none", **urls)
    elif kind == "district":
        m = district_map(hostile_db, "서울특별시", "중구", tiles="none", **urls)
    elif kind == "agency":
        m = agency_map(hostile_db, ids["agencies"][NAMES[0]], tiles="none", **urls)
    else:
        m = complex_map(hostile_db, COMPLEX, tiles="none", **urls)
    page = render_page(m, _url)
    assert_map_inert(page, f"{kind} map")
    assert COMPLEX in plain(page)
    if kind != "agency":
        for name in NAMES:
            assert name in plain(page), name
        assert esc(MATRIX_AGENCY) in page  # unplaced: listed in the legend
    # Popups are HTML escaped once: their markup is markup, not text showing "<div class=".
    assert "&lt;div class" not in page


def test_access_maps_of_hostile_names_are_inert(hostile_db):
    for level in ("sigungu", "complexes"):
        result = accessibility(hostile_db, "치매안심센터", level=level)
        page = render_page(access_map(result, tiles="none", sido="서울특별시"), _url)
        assert_map_inert(page, f"access map {level}")
        if level == "sigungu":
            assert NAMES[0] in plain(page)  # a 치매안심센터 of the list, as supply
        else:
            assert COMPLEX in plain(page)


# --- every page through the test client ------------------------------------------


def _pages(ids: dict) -> list[str]:
    complex_id = ids["complex"]
    first = ids["agencies"][NAMES[0]]
    pages = [
        "/", "/search?q=센터", "/search?q=해킹CMD", "/search?q=" + quote(NAMES[1]), "/agencies/", "/agencies/?sigungu=중구",
        f"/complexes/{complex_id}", f"/complexes/{complex_id}/report", "/complexes/", "/districts/",
        "/districts/서울특별시", "/districts/서울특별시/중구", "/districts/all", "/maps/",
        "/maps/resources", f"/maps/resources?ids={','.join(str(i) for i in ids['agencies'].values())}",
        "/maps/resources?q=센터", f"/maps/complex/{complex_id}", "/maps/district?sido=서울특별시&sigungu=중구",
        "/maps/district?sido=서울특별시", "/maps/access?type=치매안심센터&level=complexes",
        "/maps/access?type=치매안심센터&sido=서울특별시", "/maps/access?type=" + quote(COMPLEX),
        "/maps/access.csv?type=치매안심센터&level=complexes", f"/maps/agency/{ids['matrix_agency']}",
        "/exports", "/exports/agencies.csv", "/exports/agencies.xlsx", "/exports/links.csv", "/exports/links.xlsx",
        "/exports/hsds.zip", "/api/agencies?q=센터", f"/api/agencies/{first}", f"/api/complexes/{complex_id}",
        "/api/complexes", f"/api/complexes/{complex_id}/links", f"/api/reports/complexes/{complex_id}",
        "/api/reports/network", "/api/search?q=센터", f"/agencies/{ids['matrix_agency']}",
        f"/complexes/{complex_id}/edit/", f"/api/complexes/{complex_id}/contacts",
    ]
    for agency_id in ids["agencies"].values():
        pages += [f"/agencies/{agency_id}", f"/maps/agency/{agency_id}", f"/agencies/{agency_id}/edit",
                  f"/agencies/{agency_id}/correction"]
    return pages


def _body(response) -> str:
    """The text of a response; XLSX and ZIP files are opened and their members read."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return data.decode("utf-8", "replace")


def _login(client):
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_every_page_shows_hostile_names_as_text(hostile, hostile_app, signed_in):
    client = hostile_app.test_client()
    if signed_in:
        _login(client)
    failures = []
    for url in _pages(hostile[1]):
        response = client.get(url)
        body = _body(response)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
            continue
        try:
            assert_not_evaluated(body, url)
            if response.mimetype == "text/html":
                # In HTML, data is text: no tag from it opens (escaped: &lt;script&gt;).
                assert "<script>alert" not in body and "<img src=x" not in body, f"{url}: raw tag from data"
            if url.startswith("/maps/") and response.mimetype == "text/html" and "leaflet" in body:
                assert_map_inert(body, url)
        except AssertionError as exc:
            failures.append(str(exc))
    assert failures == []


def test_pages_show_the_literal_names(hostile, hostile_app):
    client = hostile_app.test_client()
    ids = hostile[1]
    for name, agency_id in ids["agencies"].items():
        body = client.get(f"/agencies/{agency_id}").get_data(as_text=True)
        assert str(escape(name)) in body, name
        data = client.get(f"/api/agencies/{agency_id}").get_json()
        assert data["name"] == name
    body = client.get(f"/complexes/{ids['complex']}").get_data(as_text=True)
    assert str(escape(COMPLEX)) in body
    exported = client.get("/exports/agencies.csv").get_data().decode("utf-8-sig")
    cells = {cell for row in csv.reader(io.StringIO(exported)) for cell in row}
    assert set(NAMES) <= cells
    hsds = set()
    with zipfile.ZipFile(io.BytesIO(client.get("/exports/hsds.zip").get_data())) as z:
        for member in z.namelist():
            text = z.read(member).decode("utf-8-sig")
            if member.endswith(".csv"):
                hsds |= {cell for row in csv.reader(io.StringIO(text)) for cell in row}
            elif member.endswith(".json"):
                hsds |= set(_strings(json.loads(text)))
    assert set(NAMES) <= hsds


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# --- Chromium ---------------------------------------------------------------------


@pytest.fixture
def served(hostile, tmp_path, browser):
    """The app over the hostile store on a loopback port; yields (base URL, ids)."""
    from web import create_app

    from .browser_support import serve_app

    path = tmp_path / "served.db"
    shutil.copy(hostile[0], path)
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})
    with serve_app(app) as base:
        yield base, hostile[1]


@pytest.fixture
def page(browser):
    """A page with the network closed but loopback, recording dialogs and script errors."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    p = context.new_page()
    p.dialogs, p.errors = [], []
    p.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:"))
            else r.abort())
    p.on("dialog", lambda dialog: (p.dialogs.append(dialog.message), dialog.dismiss()))
    p.on("pageerror", lambda exc: p.errors.append(str(exc)))
    yield p
    context.close()


def _visit(page, url, wait_for=".leaflet-container"):
    response = page.goto(url)
    assert response.status < 500, url
    if wait_for:
        page.wait_for_selector(wait_for)
    page.wait_for_timeout(300)


def _clean(page, where):
    assert page.dialogs == [], f"{where}: a dialog opened — data ran as script: {page.dialogs}"
    assert page.errors == [], f"{where}: script errors: {page.errors}"


def test_browser_map_pages_run_no_data(served, page):
    base, ids = served
    urls = [f"/maps/complex/{ids['complex']}", "/maps/district?sido=서울특별시&sigungu=중구",
            f"/maps/agency/{ids['agencies'][NAMES[0]]}", "/maps/resources?sigungu=중구",
            "/maps/access?type=치매안심센터&level=complexes", "/maps/access?type=치매안심센터&sido=서울특별시"]
    _visit(page, f"{base}/maps/agency/{ids['matrix_agency']}", wait_for=None)  # no location: a message page
    assert MATRIX_AGENCY in page.locator("body").inner_text()
    _clean(page, "the matrix agency's map")
    for url in urls:
        _visit(page, base + url)
        _clean(page, url)
        if url.startswith("/maps/complex"):
            assert COMPLEX in page.locator("#yg-legend").inner_text()
            assert MATRIX_AGENCY in page.locator("#yg-legend").inner_text()  # unplaced: named in the legend
            assert page.locator("path.yg-link").count() == len(NAMES)
            page.locator(".yg-complex").first.click(force=True)
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for()
            assert COMPLEX in popup.inner_text()
            assert "<div" not in popup.inner_text()  # escaped once
            _clean(page, url + " popup")


def test_browser_popups_show_each_literal_name(served, page):
    base, ids = served
    for name, agency_id in ids["agencies"].items():
        _visit(page, f"{base}/maps/resources?ids={agency_id}")
        marker = page.locator("path.yg-agency")
        assert marker.count() == 1, name
        marker.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert name in popup.inner_text(), name
        _clean(page, f"resource popup of {name!r}")
    # The network map's agency popups: linked, escaped once, the literal name.
    _visit(page, f"{base}/maps/agency/{ids['agencies'][NAMES[4]]}")
    page.locator("path.yg-agency").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert NAMES[4] in text and COMPLEX in text and "<div" not in text
    _clean(page, "agency map popup")


def test_browser_main_pages_run_no_data(served, page):
    base, ids = served
    complex_id = ids["complex"]
    urls = ["/search?q=센터", "/search?q=해킹CMD", f"/complexes/{complex_id}", f"/complexes/{complex_id}/report",
            "/districts/서울특별시/중구", "/maps/", "/agencies/?sigungu=중구"]
    urls += [f"/agencies/{i}" for i in ids["agencies"].values()]
    for url in urls:
        _visit(page, base + url, wait_for="body")
        frames = page.locator("iframe.map")
        for k in range(frames.count()):
            frames.nth(k).scroll_into_view_if_needed()
        page.wait_for_timeout(700)  # lazy iframes load and run their maps
        _clean(page, url)
        text = page.locator("body").inner_text()
        assert "CMD49" not in text and "조건참" not in text, url
    for name, agency_id in ids["agencies"].items():
        _visit(page, f"{base}/agencies/{agency_id}", wait_for="h1")
        assert name in page.locator("body").inner_text(), name
