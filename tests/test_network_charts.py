"""Bar charts of the network (issue 11): top agencies by each measure, partners per category."""
from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest

from directory.store import connect
from network.charts import AGENCY_MEASURES, measure_charts, partners_by_category, top_agencies
from network.report import complex_report, network_report

from . import study_store


@pytest.fixture(scope="module")
def study_path(tmp_path_factory):
    return study_store.build(tmp_path_factory.mktemp("study") / "study.db")


@pytest.fixture(scope="module")
def report(study_path):
    db = connect(study_path)
    yield network_report(db)
    db.conn.close()


@pytest.fixture
def client(study_path, tmp_path):
    from web import create_app

    path = tmp_path / "app.db"
    shutil.copy(study_path, path)
    return create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"}).test_client()


CATEGORIES = ["공공기관", "복지기관", "보건의료", "자원봉사", "일자리", "모임", "기타"]


@pytest.mark.parametrize("measure", AGENCY_MEASURES)
def test_top_agencies_are_the_highest_of_the_measure(report, measure):
    top = top_agencies(report["agencies"], measure, 5)
    values = sorted((r[measure] for r in report["agencies"] if r[measure] > 0), reverse=True)
    assert [r[measure] for r in top] == values[:5]
    assert all(r[measure] > 0 for r in top)
    tied = [r["name"] for r in top if r[measure] == top[0][measure]]
    assert tied == sorted(tied)  # ties by name, the same order every time


def test_measure_charts_hold_ten_rows_each(report):
    charts = measure_charts(report["agencies"])
    assert [c["measure"] for c in charts] == list(AGENCY_MEASURES)
    for chart in charts:
        assert 0 < len(chart["rows"]) <= 10
        assert {"name", "id", "category", "value"} == set(chart["rows"][0])


def test_partners_by_category_add_up_to_the_network(report):
    rows = partners_by_category(report["agencies"], CATEGORIES)
    assert [r["category"] for r in rows] == CATEGORIES
    assert sum(r["agencies"] for r in rows) == report["network"]["agencies"]
    assert sum(r["links"] for r in rows) == report["network"]["links"]
    counts = Counter(a["category"] for a in report["agencies"])
    assert {r["category"]: r["agencies"] for r in rows} == {c: counts.get(c, 0) for c in CATEGORIES}


def test_an_empty_category_is_listed_and_an_unknown_one_goes_last():
    rows = partners_by_category([{"category": None}, {"category": "보건의료", "reach": 2}, {"category": "새분야"}],
                                ["공공기관", "보건의료"])
    assert rows == [{"category": "공공기관", "agencies": 0, "links": 0},
                    {"category": "보건의료", "agencies": 1, "links": 2},
                    {"category": "새분야", "agencies": 1, "links": 1},
                    {"category": None, "agencies": 1, "links": 1}]


def _figures(html: str) -> dict:
    out = {}
    for caption, body in re.findall(r"<figcaption>(.*?)</figcaption>(.*?)</figure>", html, re.S):
        texts = re.findall(r"<text [^>]*>([^<]*)</text>", body)  # label, value, label, value …
        out[caption] = list(zip(texts[::2], texts[1::2]))
    return out


def test_district_page_draws_the_charts(client, report):
    html = client.get("/districts/all").get_data(as_text=True)
    section = html[html.index('id="charts"'):html.index('id="summary"')]
    figures = _figures(section)
    assert list(figures) == ["연계 단지 수 상위 기관", "가중 연결정도 상위 기관", "매개 중심성 상위 기관",
                             "위세(고유벡터) 중심성 상위 기관", "분야별 협력 기관 수", "분야별 연계 건수"]
    reach = top_agencies(report["agencies"], "reach")
    assert [label for label, _v in figures["연계 단지 수 상위 기관"]] == [
        r["name"] if len(r["name"]) <= 14 else r["name"][:13] + "…" for r in reach]
    per_category = {r["category"]: r["agencies"] for r in partners_by_category(report["agencies"], CATEGORIES)}
    assert [label for label, _v in figures["분야별 협력 기관 수"]] == CATEGORIES
    assert section.count("<rect") == sum(len(v) for v in figures.values())
    assert per_category["보건의료"] > 0
    assert client.get("/districts/all?lang=en").get_data(as_text=True).count("<figcaption>Top agencies by") == 4


def test_complex_dashboard_draws_partners_per_category(client, study_path):
    db = connect(study_path)
    cid = db.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    partners = complex_report(db, cid)["partners"]
    db.conn.close()
    html = client.get(f"/complexes/{cid}").get_data(as_text=True)
    figures = _figures(html)
    counts = Counter(p["category"] for p in partners)
    assert [(label, int(v)) for label, v in figures["분야별 연계 기관 수"]] == [(c, counts.get(c, 0)) for c in CATEGORIES]
