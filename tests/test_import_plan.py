"""One dispatcher: the web preview shows the plan importers.detect makes, and import_file follows the same plan."""
from __future__ import annotations

import shutil

import openpyxl
import pytest

from directory.errors import YeongyeError
from directory.store import connect
from importers import PLAN_KINDS, detect, import_file
from importers.hsds import export_hsds
from tests.conftest import STUDY

DEMENTIA_HEADER = "치매센터명,치매센터유형,소재지도로명주소,소재지지번주소,위도,경도,운영기관전화번호,의사인원수,제공기관코드"


def _cp949(path, lines):
    path.write_bytes(("\n".join(lines) + "\n").encode("cp949"))
    return path


def _standard(tmp_path):
    return _cp949(tmp_path / "dementia.csv", [
        DEMENTIA_HEADER,
        "가치매안심센터,치매안심센터,서울특별시 중구 청구로8길 22,,37.56,127.01,02-2238-3400,1,1",
        "나치매안심센터,치매안심센터,서울특별시 종로구 종로 1,,37.57,126.98,,,2",
    ])


def _matrix(tmp_path):
    return shutil.copy(STUDY / "linkage_matrix.csv", tmp_path / "matrix.csv")


def _tabular(tmp_path):
    return _cp949(tmp_path / "노원구_복지시설.csv", [
        "시설명,주소,전화번호",
        "행복나눔센터,서울특별시 노원구 상계로 1,02-123-4567",
        "노원지역자활센터,서울특별시 노원구 동일로 1000,",
        "상계종합사회복지관,서울특별시 노원구 한글비석로 1,",
    ])


def _odd(tmp_path):
    """Headers no synonym knows: read only through the mapping given."""
    return _cp949(tmp_path / "odd.csv", ["곳,어디", "행복센터,서울특별시 노원구 상계로 1"])


def _xlsx(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024년 강서구 협력기관 현황"])  # a title row above the headers
    sheet.append(["기관명", "주소", "전화번호", "위도", "경도"])
    sheet.append(["강서구정신건강복지센터", "서울특별시 강서구 공항대로 561", "02-2600-5926", 37.5509, 126.8495])
    sheet.append(["등촌복지관", "서울특별시 강서구 강서로 1", None, None, None])
    path = tmp_path / "list.xlsx"
    book.save(path)
    return path


def _html_xls(tmp_path):
    path = tmp_path / "ssis.xls"
    path.write_bytes("""<html><body><table border=1><tr><th>시설명</th><th>시설유형</th><th>주소</th></tr>
    <tr><td>성북지역자활센터</td><td>지역자활센터</td><td>서울특별시 성북구 보문로 1</td></tr>
    </table></body></html>""".encode("cp949"))
    return path


def _near_miss(tmp_path):
    return _cp949(tmp_path / "nocoords.csv", [
        "치매센터명,치매센터유형,소재지도로명주소",
        "중구치매안심센터,치매안심센터,서울특별시 중구 청구로8길 22",
    ])


def _near_miss_refused(tmp_path):
    return _cp949(tmp_path / "noname.csv", [
        "치매센터유형,소재지도로명주소,위도,경도",
        "치매안심센터,서울특별시 중구 청구로8길 22,37.56,127.01",
    ])


def _hsds(tmp_path):
    source = connect(tmp_path / "source.db")
    import_file(source, _standard(tmp_path))
    export_hsds(source, tmp_path / "hsds")
    source.conn.close()
    return tmp_path / "hsds" / "datapackage.json"


CASES = {
    "standard CSV (CP949)": (_standard, None, "standard"),
    "study matrix": (_matrix, None, "matrix"),
    "tabular CSV": (_tabular, None, "tabular"),
    "tabular CSV with a mapping": (_odd, {"name": "곳", "road_address": "어디"}, "tabular"),
    "XLSX with a title row": (_xlsx, None, "tabular"),
    "HTML xls": (_html_xls, None, "tabular"),
    "near miss of a standard list": (_near_miss, None, "near_miss"),
    "near miss without a name column": (_near_miss_refused, None, "near_miss"),
    "HSDS datapackage": (_hsds, None, "hsds"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_preview_shows_what_the_import_does(app, db, tmp_path, case):
    from web.transfer import describe_file

    build, mapping, kind = CASES[case]
    path = build(tmp_path)
    with app.test_request_context("/"):
        info = describe_file(db, path, mapping)
    plan = info["plan"]
    assert plan is not None and plan.kind == info["kind"] == kind and kind in PLAN_KINDS
    assert info["kind_label"]
    try:
        summary = import_file(db, path, mapping=mapping)
    except YeongyeError as exc:  # refused: the preview said so, with the same code
        assert plan.error is not None and plan.error.code == exc.code == "near_miss_no_name_column"
        assert info["error"] and "치매센터명" in info["error"]
        assert db["import_runs"].count == 0
        return
    assert plan.error is None and info["error"] is None
    assert summary.rows == plan.rows == info["total"]
    if kind in ("tabular", "near_miss"):
        assert summary.extra["mapping"] == plan.mapping.as_dict() == info["mapping"]
    if kind == "standard":
        assert summary.dataset == plan.dataset.label
    if kind == "near_miss":
        assert plan.dataset.label in summary.extra["warnings"][0]
        assert all(column in summary.extra["warnings"][0] for column in plan.missing)
    expected = {"matrix": "linkage_matrix", "hsds": "Open Referral HSDS 3.0"}
    if kind in expected:
        assert summary.dataset == expected[kind]


def test_detect_refuses_what_import_refuses(db, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(YeongyeError) as planned:
        detect(db, path)
    with pytest.raises(YeongyeError) as imported:
        import_file(db, path)
    assert planned.value.code == imported.value.code == "unsupported_file"
