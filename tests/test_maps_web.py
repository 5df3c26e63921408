"""Map pages, the asset route, the iframes in other pages, and the `map` commands."""
from __future__ import annotations

import re

import pytest

from cli import main

CDN = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//')


@pytest.mark.parametrize("url", [
    "/maps/",
    "/maps/resources",
    "/maps/resources?category=보건의료&sido=서울특별시",
    "/maps/resources?type=치매안심센터",
    "/maps/resources?ids=1,2,3",
    "/maps/agency/1",
    "/maps/complex/1",
    "/maps/district?sido=서울특별시",
    "/maps/district",
    "/maps/access?type=치매안심센터&level=sigungu",
    "/maps/access?level=complexes&tiles=none",
])
def test_map_pages_answer_without_cdn(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    html = response.get_data(as_text=True)
    assert not CDN.search(html)


@pytest.mark.parametrize("url, status", [
    ("/maps/resources?ids=abc", 400),
    ("/maps/resources?ids=99999999999999999999999,-1", 200),
    ("/maps/access?type=없는유형", 400),
    ("/maps/access?radius=abc", 400),
    ("/maps/access?radius=inf", 400),
    ("/maps/access?radius=nan", 400),
    ("/maps/access?sigma=-2", 400),
    ("/maps/access?level=도", 400),
    ("/maps/agency/999999", 404),
    ("/maps/complex/999999", 404),
    ("/maps/district?sido=부산광역시", 404),
    ("/maps/assets/leaflet/../../../../etc/passwd", 404),
    ("/maps/assets/nothing/x.js", 404),
])
def test_bad_map_requests_are_clear(client, url, status):
    assert client.get(url).status_code == status


def test_map_pages_use_the_local_asset_route(client):
    html = client.get("/maps/resources").get_data(as_text=True)
    srcs = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert len(srcs) == 9
    for src in srcs + ["/maps/assets/leaflet/images/layers.png"]:
        assert src.startswith("/maps/assets/")
        with client.get(src) as response:  # file responses must be closed
            assert response.status_code == 200, src
    with client.get("/maps/assets/leaflet/leaflet.css") as response:
        assert "images/layers.png" in response.get_data(as_text=True)


def test_tiles_can_be_turned_off(client):
    assert "tile.openstreetmap.org" in client.get("/maps/resources").get_data(as_text=True)
    assert "tile.openstreetmap.org" not in client.get("/maps/resources?tiles=none").get_data(as_text=True)
    # A tile URL from the query string is never used.
    assert "evil.example" not in client.get("/maps/resources?tiles=http://evil.example/{z}/{x}/{y}").get_data(as_text=True)


def test_agency_without_location_gets_a_message(client, app):
    from directory.store import connect

    db = connect(app.config["DATABASE"])
    db.execute("UPDATE agencies SET lat = NULL, lon = NULL WHERE id = 1")
    db.conn.commit()
    db.conn.close()
    response = client.get("/maps/agency/1")
    assert response.status_code == 200
    assert "위치 정보가 없습니다" in response.get_data(as_text=True)


def test_complex_and_district_pages_embed_their_maps(client):
    html = client.get("/complexes/1").get_data(as_text=True)
    assert '<iframe class="map"' in html and 'src="/maps/complex/1"' in html
    html = client.get("/districts/서울특별시").get_data(as_text=True)
    assert 'src="/maps/district?sido=' in html


def test_access_csv_download(client):
    response = client.get("/maps/access.csv?type=치매안심센터&level=sigungu")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("순위,") and lines[1].startswith("1,")


def test_cli_map_commands(runner, demo_db_path, tmp_path):
    db = ["--db", str(demo_db_path)]
    out = tmp_path / "r.html"
    result = runner.invoke(main, [*db, "map", "resources", "--category", "보건의료", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and not CDN.search(out.read_text(encoding="utf-8"))

    out = tmp_path / "n.html"
    result = runner.invoke(main, [*db, "map", "network", "--complex", "A", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "표본 위치 (실제 위치 아님)" in out.read_text(encoding="utf-8")

    out, ranked, report = tmp_path / "a.html", tmp_path / "a.csv", tmp_path / "join.json"
    result = runner.invoke(main, [*db, "map", "access", "--type", "치매안심센터", "--level", "sigungu",
                                  "--csv", str(ranked), "--report", str(report), "--out", str(out)])
    assert result.exit_code == 0, result.output
    listed = [line for line in result.output.splitlines() if re.match(r"\s*\d+\. ", line)]
    assert len(listed) == 10
    assert ranked.exists() and report.exists() and out.exists()


def test_cli_map_errors_are_clean(runner, demo_db_path, tmp_path):
    db = ["--db", str(demo_db_path)]
    out = str(tmp_path / "x.html")
    for args in (["network", "--complex", "없는단지"], ["access", "--type", "없는유형"],
                 ["access", "--radius", "-1"], ["network", "--sido", "부산광역시"]):
        result = runner.invoke(main, [*db, "map", *args, "--out", out])
        assert result.exit_code != 0
        assert "Error:" in result.output and "Traceback" not in result.output


def test_map_commands_have_examples():
    group = main.commands["map"]
    for name, command in group.commands.items():
        assert "Example:" in command.help, name


def test_agency_and_search_pages_embed_maps(client):
    html = client.get("/agencies/1").get_data(as_text=True)
    assert 'src="/maps/agency/1"' in html
    html = client.get("/search?q=치매안심센터").get_data(as_text=True)
    match = re.search(r'<iframe class="map"[^>]+src="(/maps/resources\?ids=[^"]+)"', html)
    assert match, "search results map missing"
    assert client.get(match.group(1).replace("&amp;", "&")).status_code == 200
