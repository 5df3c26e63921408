"""One exception family: core errors carry a code and parameters; the shells word them per language."""
from __future__ import annotations

import ast
import gettext
import importlib
import inspect
import re
from pathlib import Path

import pytest

from directory import accounts
from directory.errors import YeongyeError
from directory.messages import MESSAGES, render
from directory.store import connect
from web import i18n

ROOT = Path(__file__).resolve().parent.parent
CORE = ("network", "directory", "importers", "maps")  # widened package by package as each is converted (issue 15)
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _core_modules():
    for package in CORE:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def _core_exceptions() -> list[type]:
    found = {}
    for name, _path in _core_modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == name:
                found[f"{name}.{obj.__qualname__}"] = obj
    return list(found.values())


def _raised_codes() -> list[tuple[str, int, str]]:
    """(file, line, code) of every `raise SomeError("code", ...)` in the core; a non-code first argument fails."""
    family = {c.__name__ for c in _core_exceptions()}
    out = []
    for _name, path in _core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.exc.args[0]
            if name == "RowError":  # RowError names its column first, then its code
                first = node.exc.args[1] if len(node.exc.args) > 1 else None
                if first is None:
                    continue
            elif name not in family or name in ("IndexNotReady", "PersonalDataError", "NotePersonalData",
                                                "CorrectionPersonalData"):
                continue  # IndexNotReady names its reason first, the personal-data family its kind
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.append((str(path.relative_to(ROOT)), node.lineno, first.value))
            elif not isinstance(first, (ast.Name, ast.Attribute)):  # an f-string: words baked in at the raise
                out.append((str(path.relative_to(ROOT)), node.lineno, ast.unparse(first)))
    return out


def _english():
    with open(i18n.po_path("en").with_suffix(".mo"), "rb") as fh:
        return gettext.GNUTranslations(fh)


def test_every_core_exception_is_in_the_family_with_a_docstring():
    classes = _core_exceptions()
    assert len(classes) >= 8
    outside = [c.__qualname__ for c in classes if not issubclass(c, YeongyeError)]
    assert not outside, f"core exceptions outside YeongyeError: {outside}"
    assert all(c.__doc__ and c.__doc__.strip() and c.__doc__ != YeongyeError.__doc__ or c is YeongyeError
               for c in classes)


def test_every_code_has_korean_and_english_words():
    english = _english()
    codes = {c.code for c in _core_exceptions()} | {code for _f, _l, code in _raised_codes()}
    bad = [code for code in codes if not CODE.match(code)]
    assert not bad, f"raise sites that pass words instead of a code: {[r for r in _raised_codes() if r[2] in bad]}"
    missing = sorted(code for code in codes if code not in MESSAGES)
    assert not missing, f"codes without a Korean template in directory/messages.py: {missing}"
    untranslated = [code for code in codes if english.gettext(MESSAGES[code]) == MESSAGES[code]]
    assert not untranslated, f"codes without an English translation: {untranslated}"


def test_templates_and_translations_use_the_same_placeholders():
    english = _english()
    for code, template in MESSAGES.items():
        placeholders = sorted(set(re.findall(r"%\((\w+)\)[sr]", template)) - {"particle"})  # Korean grammar only
        assert sorted(set(re.findall(r"%\((\w+)\)[sr]", english.gettext(template)))) == placeholders, code


def test_an_error_reads_in_korean_and_keeps_its_code():
    from network.links import LinkNotFound

    exc = LinkNotFound(link_id=5)
    assert exc.code == "link_not_found" and exc.params == {"link_id": 5}
    assert str(exc) == "연계를 찾을 수 없습니다: 5"
    assert exc.message(_english().gettext) == "Link not found: 5"
    assert isinstance(exc, ValueError)  # callers that caught ValueError before still do
    assert render("no_such_code", {"a": 1}) == "no_such_code (a=1)"
    assert render("link_not_found", {}) == "연계를 찾을 수 없습니다: '?'"


def test_personal_data_labels_are_translated_too():
    from network.contacts import check_note

    with pytest.raises(YeongyeError) as info:
        check_note("김철수씨 방문")
    assert info.value.code == "personal_data" and "개인정보" in str(info.value)
    english = info.value.message(_english().gettext)
    assert english.startswith("“Note” holds words that look like a person's name('김철수씨')") and "개인정보" not in english


# --- the API answers in the request's language ----------------------------------


@pytest.fixture
def lead(app, monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")
    db = connect(app.config["DATABASE"])
    user = accounts.create_user(db, "lead", "correct-horse-1", "team_lead", complexes=["A"])
    complex_id = db.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    link_id = db.execute("SELECT id FROM links WHERE complex_id = ?", [complex_id]).fetchone()[0]
    headers = {"Authorization": f"Bearer {accounts.issue_token(db, user.id)}"}
    db.conn.close()
    return headers, link_id


def test_api_error_is_korean_by_default_and_english_when_asked(client):
    korean = client.get("/api/links/999999")
    assert korean.status_code == 404
    assert korean.get_json() == {"error": "link_not_found", "message": "연계를 찾을 수 없습니다: 999999", "status": 404}
    english = client.get("/api/links/999999", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.get_json() == {"error": "link_not_found", "message": "Link not found: 999999", "status": 404}
    assert client.get("/api/links/999999", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"}) \
        .get_json()["message"].startswith("연계를")


def test_api_contact_date_error_in_both_languages(client, lead):
    headers, link_id = lead
    body = {"contact_date": "2024-13-45", "content_type": "referral"}
    korean = client.post(f"/api/links/{link_id}/contacts", headers=headers, json=body)
    assert korean.status_code == 400 and korean.get_json()["error"] == "bad_date"
    assert "날짜 형식이 올바르지 않습니다" in korean.get_json()["message"]
    english = client.post(f"/api/links/{link_id}/contacts", json=body,
                          headers={**headers, "Accept-Language": "en"})
    assert english.get_json() == {"error": "bad_date", "status": 400,
                                  "message": "The date is not valid: '2024-13-45' (e.g. 2024-05-01)"}


def test_api_conflict_is_409_with_its_code(client, lead):
    headers, link_id = lead
    version = client.get(f"/api/links/{link_id}").get_json()["version"]
    english = client.delete(f"/api/links/{link_id}?version={version + 7}", headers={**headers, "Accept-Language": "en"})
    assert english.status_code == 409
    assert english.get_json()["error"] == "link_conflict"
    assert english.get_json()["message"].startswith("Someone else changed this link meanwhile")
    korean = client.delete(f"/api/links/{link_id}?version={version + 7}", headers=headers)
    assert korean.get_json()["message"].startswith("그 사이 다른 사람이")


def test_html_error_page_follows_the_session_language(client):
    assert "단지를 찾을 수 없습니다" in client.get("/complexes/99999").get_data(as_text=True)
    client.get("/?lang=en")
    page = client.get("/complexes/99999")
    assert page.status_code == 404 and "Complex not found: 99999" in page.get_data(as_text=True)


def test_cli_speaks_korean(runner, demo_db_path, tmp_path):
    import shutil

    from cli import main

    db = tmp_path / "cli.db"
    shutil.copy(demo_db_path, db)
    result = runner.invoke(main, ["--db", str(db), "recommend", "--complex", "A", "--need", "우주여행"])
    assert result.exit_code != 0 and "알 수 없는 필요입니다: '우주여행'" in result.output
    missing = runner.invoke(main, ["--db", str(db), "recommend", "--complex", "없는단지", "--need", "치매"])
    assert missing.exit_code != 0 and "단지를 찾을 수 없습니다: '없는단지'" in missing.output


def test_import_errors_keep_their_numbers_and_read_in_both_languages():
    from importers.reading import ImportLimitError
    from importers.run import RowError

    exc = ImportLimitError("too_many_rows", name="big.csv", limit=1_000_000)
    assert exc.params == {"name": "big.csv", "limit": 1_000_000}
    assert str(exc) == "big.csv: 행이 너무 많습니다 (한 파일 최대 1,000,000행). 파일을 나누어 가져와 주세요."
    assert exc.message(_english().gettext).startswith("big.csv: too many rows (at most 1,000,000 rows per file)")
    row = RowError("capacity", "capacity_not_a_number", value="열명")
    assert row.column == "capacity" and row.code == "capacity_not_a_number"
    assert str(row) == "정원이 숫자가 아닙니다: '열명'"  # the quarantine stores this Korean sentence
    assert row.message(_english().gettext) == "The capacity is not a number: '열명'"


def test_map_errors_carry_a_code_and_read_in_english_on_the_web(client):
    from maps import MapError
    from maps.common import check_location

    with pytest.raises(MapError) as info:
        check_location("북위", 127, what="지도 중심")
    assert info.value.code == "map_coordinates_not_numbers" and "좌표가 숫자가 아닙니다" in str(info.value)
    assert isinstance(info.value, YeongyeError)
    korean = client.get("/maps/district?sido=부산광역시").get_data(as_text=True)
    assert "해당 지역에 단지가 없습니다" in korean
    english = client.get("/maps/district?sido=부산광역시&lang=en").get_data(as_text=True)
    assert "No complexes in this area" in english and "단지가 없습니다" not in english
    access = client.get("/maps/access?radius=abc&lang=en").get_data(as_text=True)
    assert "must be numbers" in access
