"""The network commands through CliRunner."""
import json
import shutil

import pytest

from cli import main

from . import study_store


@pytest.fixture
def dbfile(demo_db_path, tmp_path):
    path = tmp_path / "n.db"
    shutil.copy(demo_db_path, path)
    return str(path)


@pytest.fixture
def studyfile(tmp_path):
    """The plain study import: the study's own figures (the demo resolves its kinds to real agencies)."""
    return str(study_store.build(tmp_path / "study.db"))


def test_report_network_json(runner, studyfile):
    result = runner.invoke(main, ["--db", studyfile, "report", "network", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    net = report["network"]
    assert (net["complexes"], net["agencies"], net["links"]) == (6, 34, 73)
    assert report["agencies"][0]["reach"] == 6


def test_report_network_csv_and_html(runner, studyfile, tmp_path):
    result = runner.invoke(main, ["--db", studyfile, "report", "network", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("id,name,category,type")
    assert len(result.output.strip().splitlines()) == 35
    out = tmp_path / "n.html"
    result = runner.invoke(main, ["--db", studyfile, "report", "network", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "정신건강복지센터" in out.read_text(encoding="utf-8")


def test_report_gaps(runner, dbfile):
    result = runner.invoke(main, ["--db", dbfile, "report", "gaps", "--complex", "B"])
    assert result.exit_code == 0, result.output
    assert "시니어클럽" in result.output and "장애인복지관" in result.output  # a gap, and a met need
    bad = runner.invoke(main, ["--db", dbfile, "report", "gaps", "--complex", "Z"])
    assert bad.exit_code != 0 and "단지를 찾을 수 없습니다" in bad.output


def test_report_complex_printable(runner, dbfile, tmp_path):
    out = tmp_path / "c.html"
    result = runner.invoke(main, ["--db", dbfile, "report", "complex", "C", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "@media print" in page and "치매안심센터" in page


def test_recommend(runner, dbfile):
    result = runner.invoke(main, ["--db", dbfile, "recommend", "--complex", "E", "--need", "치매", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "치매안심센터" in result.output and "km" in result.output
    bad = runner.invoke(main, ["--db", dbfile, "recommend", "--complex", "E", "--need", "우주"])
    assert bad.exit_code != 0 and "알 수 없는 필요" in bad.output


def test_contact_add_and_personal_data(runner, dbfile):
    ok = runner.invoke(main, ["--db", dbfile, "contact", "add", "--complex", "C", "--agency", "치매안심센터",
                              "--date", "2024-05-01", "--content", "referral", "--note", "검진 의뢰 2건"])
    assert ok.exit_code == 0, ok.output
    assert "직접 입력 ● 수시" in ok.output  # a 2024 contact: the log covers a year (issue 11)
    bad = runner.invoke(main, ["--db", dbfile, "contact", "add", "--complex", "C", "--agency", "치매안심센터",
                               "--date", "2024-05-01", "--note", "김철수님 의뢰"])
    assert bad.exit_code != 0 and "개인정보" in bad.output
    listed = runner.invoke(main, ["--db", dbfile, "contact", "list", "--complex", "C"])
    assert "검진 의뢰 2건" in listed.output and "김철수" not in listed.output
