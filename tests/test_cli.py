import json

import click

from cli import main
from tests.conftest import PUBLIC, STUDY


def test_every_command_has_help_with_an_example():
    for name, command in main.commands.items():
        assert command.help, name
        assert "Example:" in command.help, name


def test_init_import_json(runner, tmp_path):
    db = str(tmp_path / "x.db")
    assert runner.invoke(main, ["--db", db, "init"]).exit_code == 0
    result = runner.invoke(main, ["--db", db, "import", str(STUDY / "linkage_matrix.csv"),
                                  "--complexes", str(STUDY / "complexes.csv"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["imported"] == 34 and summary["quarantined"] == 0 and summary["links"] == 73


def test_import_of_unknown_file_fails_clearly(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(main, ["--db", str(tmp_path / "x.db"), "import", str(bad)])
    assert result.exit_code != 0
    assert "알 수 없는 목록" in result.output


def test_import_reports_quarantine_in_json(runner, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("category,agency,A\n보건의료,치매안심센터,?\n", encoding="utf-8")
    result = runner.invoke(main, ["--db", str(tmp_path / "x.db"), "import", str(path), "--json"])
    summary = json.loads(result.stdout)
    assert summary["quarantined"] == 1
    assert summary["errors"] == [{"row": 2, "column": "A", "message": summary["errors"][0]["message"]}]


def test_demo_builds_the_demo_database(runner, tmp_path):
    result = runner.invoke(main, ["--db", str(tmp_path / "d.db"), "demo"])
    assert result.exit_code == 0, result.output
    assert "단지 6" in result.output


def test_db_from_environment(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("YEONGYE_DB", str(tmp_path / "env.db"))
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "cli", "--help"], capture_output=True, text=True, check=True)
    assert "yeongye" in out.stdout.lower() or "연계" in out.stdout


def test_commands_are_click_commands():
    assert isinstance(main, click.Group)
    assert {"init", "import", "demo", "serve"} <= set(main.commands)


def test_import_progress_bar_counts_rows_from_the_first_row(capsys):
    from cli.store import _RowBar

    with _RowBar(1000) as bar:
        assert bar.bar is None  # not started while the file is read
        for _ in range(1000):
            bar.update(1)
        assert bar.bar.pos == 1000 and bar.bar.update_min_steps == 5
    assert "파일을 읽는 중" in capsys.readouterr().err


def test_import_tells_the_bar_its_length_after_reading_the_file_once(db, monkeypatch):
    import importers
    from cli.store import _RowBar

    reads = []
    read_table = importers.read_table
    monkeypatch.setattr(importers, "read_table", lambda path, **kw: reads.append(path) or read_table(path, **kw))
    with _RowBar() as bar:
        summary = importers.import_file(db, PUBLIC / "dementia_centers_standard.csv", progress=bar.update,
                                        on_rows=bar.set_total)
    assert len(reads) == 1 and bar.total == summary.rows == bar.bar.pos
