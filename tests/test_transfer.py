"""Import page (upload → preview → confirm → progress → report) and exports (CSV, XLSX, HSDS)."""
from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from openpyxl import load_workbook

from directory import accounts
from directory.store import connect

PASSWORD = "correct-horse-1"

LIST = ("기관이름,소재지 주소,대표 전화,비고\n"
        "행복나눔 복지관,서울특별시 노원구 상계로 100,02-930-1234,\n"
        "푸른 지역자활센터,서울특별시 강서구 공항대로 200,02-2600-1111,\n"
        ",,,빈 이름\n")


@pytest.fixture
def admin(app, monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")
    db = connect(app.config["DATABASE"])
    accounts.create_user(db, "admin", PASSWORD, "admin")
    db.conn.close()
    client = app.test_client()
    token = _token(client, "/auth/login")
    client.post("/auth/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    return client


def _token(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _upload(client, name, data):
    token = _token(client, "/import")
    return client.post("/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_import_is_admin_only(client):
    assert client.get("/import").status_code == 302


def test_upload_preview_confirm_report(admin, app):
    response = _upload(admin, "동네 기관 목록.csv", LIST.encode("cp949"))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = admin.get(preview_url).get_data(as_text=True)
    assert "일반 기관 목록" in page and "행복나눔 복지관" in page
    assert re.search(r'name="map_name">.*?<option value="기관이름" selected>', page, re.S)
    token = preview_url.split("/")[2]
    csrf = _token(admin, preview_url)
    response = admin.post(f"/import/{token}/confirm", data={"csrf_token": csrf})
    assert response.status_code == 302
    for _ in range(100):
        state = admin.get(f"/import/{token}/progress.json").get_json()
        if state["status"] in ("done", "error"):
            break
        time.sleep(0.05)
    assert state["status"] == "done", state
    report = admin.get(f"/import/{token}/status").get_data(as_text=True)
    assert "결과" in report and "격리" in report
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM agencies WHERE name = '행복나눔 복지관'").fetchone()[0] == 1
    assert db.execute("SELECT username FROM audit_log WHERE action = 'import' ORDER BY id DESC").fetchone()[0] == "admin"
    db.conn.close()


def test_mapping_can_be_overridden_in_the_preview(admin):
    data = "센터,주소값\n가나다 센터,서울특별시 노원구 상계로 1\n".encode("utf-8")
    preview_url = _upload(admin, "list.csv", data).headers["Location"]
    csrf = _token(admin, preview_url)
    page = admin.post(preview_url, data={"csrf_token": csrf, "map_name": "센터", "map_road_address": "주소값"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:3000]
    assert '<option value="주소값" selected>' in text


def test_a_file_without_a_name_column_says_which_headers_it_found(admin):
    preview_url = _upload(admin, "x.csv", "a,b\n1,2\n".encode()).headers["Location"]
    page = admin.get(preview_url).get_data(as_text=True)
    assert "기관명 열을 찾지 못했습니다" in page and "찾은 열: a, b" in page
    assert "이대로 가져오기" not in page


def test_preview_and_failed_import_speak_the_session_language(admin):
    admin.get("/?lang=en")
    preview_url = _upload(admin, "x.csv", "a,b\n1,2\n".encode()).headers["Location"]
    page = admin.get(preview_url).get_data(as_text=True)
    assert "no agency name column was found. Columns found: a, b" in page and "기관명 열을" not in page
    token = preview_url.split("/")[2]
    admin.post(f"/import/{token}/confirm", data={"csrf_token": _token(admin, preview_url)})
    for _ in range(100):
        state = admin.get(f"/import/{token}/progress.json").get_json()
        if state["status"] in ("done", "error"):
            break
        time.sleep(0.05)
    assert state["status"] == "error" and state["error"].startswith("x.csv: unknown list")
    admin.get("/?lang=ko")
    assert "기관명 열을 찾지 못했습니다" in admin.get(f"/import/{token}/status").get_data(as_text=True)


@pytest.mark.parametrize("name, data, message", [
    ("virus.exe", b"MZ\x90\x00", "지원하지 않는 파일 형식"),
    ("fake.xlsx", b"just text", "XLSX 파일이 아닙니다"),
    ("bin.csv", b"a,b\x00\x01", "텍스트(CSV) 파일이 아닙니다"),
    ("empty.csv", b"", "빈 파일"),
])
def test_uploads_are_type_checked(admin, name, data, message):
    response = _upload(admin, name, data)
    assert response.status_code in (400, 415)
    assert message in response.get_data(as_text=True)


def test_uploads_are_size_limited(app, admin):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _upload(admin, "big.csv", b"a" * 5000)
    assert response.status_code == 413
    assert "파일이 너무 큽니다" in response.get_data(as_text=True)


def test_export_agencies_csv_has_bom_and_korean_headers(client):
    response = client.get("/exports/agencies.csv?category=보건의료&sido=서울특별시")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff번호,기관명,기관 유형,분야")
    assert "치매안심센터" in text and "부산광역시" not in text


def test_export_xlsx_opens_with_korean_headers(client):
    response = client.get("/exports/agencies.xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("번호", "기관명", "기관 유형")
    links = load_workbook(io.BytesIO(client.get("/exports/links.xlsx").data), read_only=True).active
    rows = list(links.iter_rows(values_only=True))
    assert rows[0][0] == "단지" and len(rows) == 74


def test_export_cells_that_look_like_formulas_are_neutralised():
    from directory.export import to_csv

    assert "'=HYPERLINK" in to_csv(["a"], [["=HYPERLINK(\"x\")"]]).decode("utf-8")


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_every_spreadsheet_csv_neutralises_formulas(text):
    from directory.export import spreadsheet_safe
    from network.access import _csv_value
    from network.report import to_csv as report_csv

    assert spreadsheet_safe(text) == "'" + text
    assert _csv_value(text) == "'" + text
    assert report_csv({"agencies": [{"name": text}]}).splitlines()[1].strip('"').startswith("'")
    assert spreadsheet_safe("-12.5") == "-12.5"  # a negative number stays a number


def test_export_hsds_zip(client):
    response = client.get("/exports/hsds.zip")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "datapackage.json" in names and any(n.startswith("organization") for n in names)


def test_exports_page_lists_formats(client):
    page = client.get("/exports").get_data(as_text=True)
    assert "XLSX" in page and "HSDS" in page
