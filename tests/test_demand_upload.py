"""A planner's own demand table through the web (issue 12): upload, the answer page, bad input, nothing kept."""
from __future__ import annotations

import base64
import csv
import html
import io
import re
from pathlib import Path

import pytest

import web.maps
from directory import accounts
from importers.demand_table import read_demand_table
from network.access import accessibility, base_areas, covered_only, least_served, ranked_table
from tests.conftest import TEST_PASSWORD

CHOICES = {"access_type": "정신건강복지센터", "level": "sigungu", "radius": "7", "sigma": "2.5", "weight": "count"}


@pytest.fixture
def planner(app, store, cheap_hashes):
    """A signed-in client (a worker: any role may use the form)."""
    accounts.create_user(store, "worker", TEST_PASSWORD, "worker")
    client = app.test_client()
    client.post("/auth/login", data={"username": "worker", "password": TEST_PASSWORD,
                                     "csrf_token": _csrf(client, "/auth/login")})
    return client


def _csrf(client, url="/maps/demand"):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _post(client, name, data: bytes, **fields):
    form = {"csrf_token": _csrf(client), "file": (io.BytesIO(data), name), **fields}
    return client.post("/maps/demand", data=form, content_type="multipart/form-data")


def _csv(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


def _seoul():
    areas, _ = base_areas("sigungu")
    return [a for a in areas if a["sido"] == "서울특별시"]


def _nowon_dongs():
    areas, _ = base_areas("eupmyeondong")
    return [a for a in areas if a["sido"] == "서울특별시" and a["sigungu"] == "노원구"]


def _section(page: str, ident: str) -> str:
    return re.search(rf'<section id="{ident}">(.*?)</section>', page, re.S).group(1)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _worst_names(page: str) -> list[str]:
    body = re.search(r'<table class="list compact worst">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [html.unescape(m) for m in re.findall(r"<tr><td>\d+</td><td>([^<]+)</td>", body)]


def _csv_of(page: str) -> list[list[str]]:
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="([^"]+)"', page)
    assert link, "no CSV download on the page"
    text = base64.b64decode(link.group(1)).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the BOM as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def _expected(store, path, **options):
    table = read_demand_table(path)
    result = accessibility(store, demand_table=table.rows, demand_label=table.column,
                           **{"level": table.level, "types": ["치매안심센터"], **options})
    return covered_only(result)


def _as_strings(table):
    return [["" if v is None else str(v) for v in row] for row in table]


# --- the two tables a planner brings ----------------------------------------------


def test_cp949_table_by_sigungu_name(planner, store, tmp_path):
    seoul = _seoul()
    rows = [["시도", "시군구", "독거노인 수", "비고"]]
    rows += [["서울", a["sigungu"], f"{1000 + 37 * i:,}", ""] for i, a in enumerate(seoul) if a["sigungu"] != "종로구"]
    rows += [["서울", "강서구", "없음", "집계 중"], ["", "", "12", ""], ["서울", "없는구", "40", ""]]
    data = _csv(rows, "cp949")
    (tmp_path / "독거노인.csv").write_bytes(data)
    response = _post(planner, "독거노인.csv", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    read = _text(_section(page, "demand-read"))
    assert "독거노인.csv" in read and "CP949 (EUC-KR)" in read and "독거노인 수" in read
    assert f"쓴 행 {len(seoul)}행" in read  # 24 구 + the row naming no area
    # The rows set aside, with their row numbers in the file and why.
    assert re.search(r"<td>26</td><td>수요 값이 0 이상의 숫자가 아닙니다: &#39;없음&#39;</td>", page)
    assert "<td>27</td><td>지역(행정코드 또는 시도·시군구)이 비어 있습니다</td>" in page
    joined = _text(_section(page, "demand-join"))
    assert "28행 서울 없는구" in joined  # in the planner's own words
    assert "서울특별시 종로구" in joined  # a 구 of the covered 시도 the table left out
    expected = _expected(store, tmp_path / "독거노인.csv")
    worst = least_served(expected, 10)
    assert "접근성 하위 10곳 · 서울특별시" in page  # one 시도: said once, the 구 by their own names
    assert _worst_names(page) == [r["sigungu"] for r in worst] and len(worst) == 10
    first = re.search(r'<table class="list compact worst">.*?<tbody>\s*<tr>(.*?)</tr>', page, re.S).group(1)
    assert worst[0]["nearest_name"] in html.unescape(first) and f"{worst[0]['nearest_km']:.1f} km" in first
    assert _csv_of(page) == _as_strings(ranked_table(expected))
    assert len(_csv_of(page)) == 1 + 24  # 종로구 (not in the table) is not ranked
    # The map is the page itself, escaped into the iframe's srcdoc; its assets come from this server.
    srcdoc = re.search(r'<iframe class="map"[^>]*srcdoc="([^"]+)"', page).group(1)
    assert srcdoc.startswith("&lt;!DOCTYPE html&gt;") and "<script" not in srcdoc
    assert "/maps/assets/" in html.unescape(srcdoc) and "독거노인 수 기준" in html.unescape(srcdoc)


def test_table_by_eupmyeondong_code_and_added_up_to_sigungu(planner, store, tmp_path):
    dongs = _nowon_dongs()
    rows = [["행정동코드", "사례관리 가구"]] + [[d["code"], str(40 + 3 * i)] for i, d in enumerate(dongs[1:])]
    data = _csv(rows, "utf-8-sig")
    (tmp_path / "dong.csv").write_bytes(data)
    page = _post(planner, "dong.csv", data, radius="10").get_data(as_text=True)
    read = _text(_section(page, "demand-read"))
    assert "UTF-8 (BOM 있음)" in read and "단위 읍면동" in read and f"쓴 행 {len(dongs) - 1}행" in read
    assert dongs[0]["name"] in _text(_section(page, "demand-join"))  # the 동 of 노원구 the table skipped
    expected = _expected(store, tmp_path / "dong.csv", radius_km=10)
    assert _worst_names(page) == [f"{r['sigungu']} {r['eupmyeondong']}" for r in least_served(expected, 10)]
    assert _csv_of(page) == _as_strings(ranked_table(expected))
    assert "지도 · 서울특별시" in _text(_section(page, "demand-map"))
    # The same table at 시군구 level: the 동 add up to 노원구.
    page = _post(planner, "dong.csv", data, level="sigungu").get_data(as_text=True)
    assert "읍면동별 표를 시군구별로 합산" in _text(_section(page, "demand-read"))
    assert _worst_names(page) == ["노원구"]
    assert _csv_of(page)[1][6] == str(sum(40 + 3 * i for i in range(len(dongs) - 1)))


def test_xlsx_table(planner):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["지역", "수급자"])
    for a in _seoul()[:5]:
        sheet.append([a["name"], 500])
    out = io.BytesIO()
    book.save(out)
    page = _post(planner, "수급자.xlsx", out.getvalue()).get_data(as_text=True)
    assert "엑셀(XLSX)" in _text(_section(page, "demand-read")) and len(_worst_names(page)) == 5


# --- bad input: a clear sentence, the other choices kept ------------------------------

GOOD_HEAD = ["시도", "시군구", "수요"]


@pytest.mark.parametrize("name, data, fields, status, words", [
    ("latin.csv", "시도,시군구,수요\n".encode("utf-8") + b"caf\xe9,x,1\n", {}, 400, "문자 인코딩을 읽을 수 없습니다"),
    ("utf16.csv", "시도,시군구,수요\n서울,노원구,1\n".encode("utf-16"), {}, 400, "UTF-16 파일입니다"),
    ("area.csv", _csv([["이름", "수요"], ["가", "1"]]), {}, 400, "지역을 알 수 있는 열이 없습니다"),
    ("novalue.csv", _csv([["시도", "시군구", "비고"], ["서울", "노원구", "메모"]]), {}, 400,
     "수요로 쓸 숫자 열이 없습니다"),
    ("two.csv", _csv([["시도", "시군구", "독거노인", "수급자"], ["서울", "노원구", "3", "4"]]), {}, 400,
     "숫자 열이 여러 개라 어느 것이 수요인지 알 수 없습니다 (독거노인, 수급자)"),
    ("asked.csv", _csv([["시도", "시군구", "수요"], ["서울", "노원구", "3"]]), {"column": "가구"}, 400,
     "'가구' 열이 없습니다"),
    ("words.csv", _csv([["시도", "시군구", "수요", "비고"], ["서울", "노원구", "3", "많음"], ["서울", "강서구", "4", "적음"]]),
     {"column": "비고"}, 400, "'비고' 열에 숫자가 아닌 값이 많습니다"),
    ("people.csv", _csv([GOOD_HEAD + ["담당"], ["서울", "노원구", "3", "010-1234-5678"]]), {}, 400,
     "2행: 개인정보로 보이는 값이 있어 파일을 받지 않았습니다"),
    ("empty.csv", b"", {}, 400, "빈 파일입니다"),
    ("header.csv", _csv([GOOD_HEAD]), {}, 400, "자료 행이 없습니다"),
    ("big.csv", _csv([GOOD_HEAD] + [["서울", "노원구", "1"]] * 200), {}, 413, "파일이 너무 큽니다 (최대"),
    ("list.pdf", b"%PDF-1.4", {}, 415, "지원하지 않는 파일 형식입니다"),
    ("coarse.csv", _csv([GOOD_HEAD, ["서울", "노원구", "3"]]), {"level": "eupmyeondong"}, 400,
     "시군구별 표라 읍면동별로 나눌 수 없습니다"),
    ("radius.csv", _csv([GOOD_HEAD, ["서울", "노원구", "3"]]), {"radius": "0"}, 400, "반경"),
])
def test_bad_input_says_what_and_keeps_the_choices(planner, monkeypatch, name, data, fields, status, words):
    monkeypatch.setattr(web.maps, "DEMAND_MAX_BYTES", 2000)
    choices = {**CHOICES, "column": "", **fields}
    response = _post(planner, name, data, **choices)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    error = _text(re.search(r'<div class="error-box demand-error" role="alert">(.*?)</div>', page, re.S).group(1))
    assert words in error
    assert name in error or name == "radius.csv"  # the measure's own error names no file
    assert 'id="demand-read"' not in page
    form = re.search(r'<form class="stack demand-upload".*?</form>', page, re.S).group(0)
    assert f'name="radius" type="number" min="1" max="100" step="1" value="{choices["radius"]}"' in form
    assert 'value="2.5"' in form and '<option value="count" selected>' in form
    assert '<option value="정신건강복지센터" selected>' in form
    assert f'<option value="{choices["level"]}" selected>' in form
    assert f'name="column" value="{choices["column"]}"' in form


def test_ambiguous_column_offers_the_candidates(planner):
    page = _post(planner, "two.csv", _csv([["시도", "시군구", "독거노인", "수급자"], ["서울", "노원구", "3", "4"]]))
    assert re.search(r'<datalist id="demand-columns"><option value="독거노인"><option value="수급자"></datalist>',
                     page.get_data(as_text=True))
    page = _post(planner, "two.csv", _csv([["시도", "시군구", "독거노인", "수급자"], ["서울", "노원구", "3", "4"]]),
                 column="수급자").get_data(as_text=True)
    assert "수요 열 수급자" in _text(_section(page, "demand-read"))


def test_errors_in_english(planner):
    planner.get("/maps/?lang=en")
    page = _post(planner, "two.csv", _csv([["시도", "시군구", "a", "b"], ["서울", "노원구", "3", "4"]]))
    text = _text(page.get_data(as_text=True))
    assert "several numeric columns" in text and "Your other choices are kept" in text


# --- who may use it, and what is kept ---------------------------------------------------


def test_signed_in_only(client, planner):
    assert client.get("/maps/demand").status_code == 302
    token = _csrf(client, "/auth/login")
    response = client.post("/maps/demand", data={"csrf_token": token, "file": (io.BytesIO(b"x"), "a.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    anonymous = client.get("/maps/").get_data(as_text=True)
    assert "로그인하면 수요 표를 올릴 수 있습니다" in anonymous and 'class="stack demand-upload"' not in anonymous
    assert 'class="stack demand-upload"' in planner.get("/maps/").get_data(as_text=True)
    # No CSRF token, no work.
    response = planner.post("/maps/demand", data={"file": (io.BytesIO(b"x"), "a.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400


def test_rate_limited(demo_db_path, tmp_path, cheap_hashes):
    import shutil

    from directory.store import connect
    from web import create_app

    path = tmp_path / "app.db"
    shutil.copy(demo_db_path, path)
    database = connect(path)
    accounts.create_user(database, "planner", TEST_PASSWORD, "planner", districts=["서울특별시"])
    database.conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test",
                      "DEMAND_UPLOAD_RATE_LIMIT": "2 per hour"})
    client = app.test_client()
    client.post("/auth/login", data={"username": "planner", "password": TEST_PASSWORD,
                                     "csrf_token": _csrf(client, "/auth/login")})
    statuses = [_post(client, "e.csv", b"").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_nothing_of_the_upload_is_kept(planner, app, store, tmp_path, monkeypatch):
    import tempfile

    marker = "우리동네독거노인수"  # a column name found nowhere else
    rows = [["시도", "시군구", marker]] + [["서울", a["sigungu"], "100"] for a in _seoul()]
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    read_at = []
    import importers.demand_table as module  # the view imports it when it runs: the spy is seen

    original = module.read_demand_table

    def spy(path, **kwargs):
        read_at.append(Path(path))
        assert Path(path).exists()
        return original(path, **kwargs)

    monkeypatch.setattr(module, "read_demand_table", spy)
    uploads = Path(app.instance_path) / "uploads"
    before_uploads = sorted(uploads.rglob("*")) if uploads.exists() else []
    tables = [r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def counts():
        return {t: store.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

    before = counts()
    response = _post(planner, "내표.csv", _csv(rows, "cp949"))
    assert response.status_code == 200 and marker in response.get_data(as_text=True)
    assert _post(planner, "내표.csv", _csv(rows + [["서울", "노원구", "010-1234-5678"]], "cp949")).status_code == 400
    assert len(read_at) == 2 and not any(p.exists() or p.parent.exists() for p in read_at)
    assert read_at[0].is_relative_to(private_tmp) and list(private_tmp.iterdir()) == []
    assert counts() == before
    assert (sorted(uploads.rglob("*")) if uploads.exists() else []) == before_uploads
    db_path = Path(app.config["DATABASE"])
    for file in [db_path, *db_path.parent.glob(db_path.name + "-*")]:
        assert marker.encode("utf-8") not in file.read_bytes()
        assert marker.encode("cp949") not in file.read_bytes()
