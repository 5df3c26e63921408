"""Open Referral HSDS 3.0 export and import: the package validates, the round trip keeps every agency."""
import csv
import json

import pytest
from frictionless import Package, validate

from cli import main
from directory.store import connect
from importers import import_file
from importers.hsds import HSDSError, TABLES, export_hsds
from tests.conftest import PUBLIC

FIELDS = ("name", "type", "category", "road_address", "lot_address", "sido", "sigungu", "eupmyeondong",
          "postcode", "lat", "lon", "placement", "phone", "homepage", "operator", "services", "target_groups",
          "hours", "capacity", "verified_date", "region_code")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A store with a list of every kind (exact, centroid-placed, operators, hours) exported once."""
    base = tmp_path_factory.mktemp("hsds")
    db = connect(base / "src.db")
    import_file(db, PUBLIC / "dementia_centers_standard.csv")
    import_file(db, PUBLIC / "health_promotion_centers_standard.csv")
    odd = base / "odd.csv"
    odd.write_text("시설명,주소,전화번호,정원\n행복나눔센터,부산광역시 해운대구 중동 1394-65,051-749-4000,12\n"
                   "\"쉼표, 그리고 \"\"따옴표\"\" 센터\",서울특별시 노원구 상계로 1,,\n", encoding="utf-8")
    import_file(db, odd)
    counts = export_hsds(db, base / "out")
    yield db, base / "out", counts
    db.conn.close()


def test_export_writes_every_table_and_validates(exported):
    db, out, counts = exported
    assert {p.name for p in out.iterdir()} == {f"{t}.csv" for t in TABLES} | {"datapackage.json"}
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    agencies = db["agencies"].count
    assert counts["service"] == counts["location"] == counts["service_at_location"] == agencies
    assert counts["organization"] < agencies  # operators running several centres are one organization
    assert counts["schedule"] > 100 and counts["taxonomy"] == 1
    package = Package(str(out / "datapackage.json"))
    assert package.get_resource("taxonomy_term").schema.primary_key == ["id"]


def test_taxonomy_has_our_categories_and_types(exported):
    _, out, _ = exported
    with open(out / "taxonomy_term.csv", encoding="utf-8") as fh:
        terms = {r["name"]: r for r in csv.DictReader(fh)}
    assert {"공공기관", "복지기관", "보건의료", "자원봉사", "일자리", "모임", "기타"} <= set(terms)
    assert terms["치매안심센터"]["parent_id"] == terms["보건의료"]["id"]


def test_round_trip_keeps_every_agency_and_field(exported, tmp_path):
    db, out, _ = exported
    again = connect(tmp_path / "again.db")
    summary = import_file(again, out / "datapackage.json")
    assert summary.quarantined == 0
    assert again["agencies"].count == db["agencies"].count == summary.imported
    columns = ", ".join(FIELDS)
    order = "ORDER BY name, road_address, lat"
    before = [tuple(r) for r in db.execute(f"SELECT {columns} FROM agencies {order}")]
    after = [tuple(r) for r in again.execute(f"SELECT {columns} FROM agencies {order}")]
    differences = [{f: (x, y) for f, x, y in zip(FIELDS, b, a) if x != y} for b, a in zip(before, after) if b != a]
    assert differences == []
    placements = dict(again.execute("SELECT placement, count(*) FROM agencies GROUP BY 1").fetchall())
    assert placements == {"exact": 559, "eupmyeondong": 1, "sigungu": 1}  # approximate stays approximate
    # Re-importing the same package changes nothing.
    assert import_file(again, out / "datapackage.json").unchanged == summary.rows


def test_cli_export_and_import(runner, tmp_path):
    dbfile = tmp_path / "cli.db"
    db = connect(dbfile)
    import_file(db, PUBLIC / "dementia_centers_standard.csv")
    db.conn.close()
    result = runner.invoke(main, ["--db", str(dbfile), "export", "hsds", str(tmp_path / "pkg")])
    assert result.exit_code == 0, result.output
    assert "service 281" in result.output
    result = runner.invoke(main, ["--db", str(tmp_path / "b.db"), "import", str(tmp_path / "pkg" / "datapackage.json")])
    assert result.exit_code == 0, result.output
    assert "새 기관 281" in result.output


def test_not_a_package_is_refused(db, tmp_path):
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps({"resources": [{"name": "x", "path": "x.csv"}]}), encoding="utf-8")
    with pytest.raises(HSDSError, match="HSDS"):
        import_file(db, path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(HSDSError):
        import_file(db, path)
