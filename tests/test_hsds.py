"""Open Referral HSDS 3.0 export and import: the package validates, the round trip keeps every agency."""
import csv
import json

import pytest
from frictionless import Package, validate

from cli import main
from directory.store import connect
from importers import import_file
from directory.paths import ROOT
from importers.hsds import ADDRESS_FIELDS, FOREIGN_KEYS, PATHS, HSDSError, TABLES, descriptor, export_hsds
from tests.conftest import PUBLIC

# The specification's own descriptor (openreferral/specification datapackage.json, 3.0.0), shipped
# with its licence in data/standards/ (a copy of shared/data/standards/, so a clone anywhere has it).
OFFICIAL = ROOT / "data" / "standards" / "hsds_3.0.0_datapackage.json"

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
    report = export_hsds(db, base / "out")
    yield db, base / "out", report.counts
    db.conn.close()


def test_export_writes_every_table_and_validates(exported):
    db, out, counts = exported
    assert {p.name for p in out.iterdir()} == set(PATHS.values()) | {"datapackage.json"}
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
    with open(out / "taxonomy_terms.csv", encoding="utf-8") as fh:
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
    # 554 exact: the dementia list names four 대전 centres twice and 광주 동구 is in both lists (one agency each).
    assert placements == {"exact": 554, "eupmyeondong": 1, "sigungu": 1}  # approximate stays approximate
    # Re-importing the same package changes nothing.
    assert import_file(again, out / "datapackage.json").unchanged == summary.rows


def test_cli_export_and_import(runner, tmp_path):
    dbfile = tmp_path / "cli.db"
    db = connect(dbfile)
    import_file(db, PUBLIC / "dementia_centers_standard.csv")
    db.conn.close()
    result = runner.invoke(main, ["--db", str(dbfile), "export", "hsds", str(tmp_path / "pkg")])
    assert result.exit_code == 0, result.output
    # 277 centres: the list names four 대전 centres twice (대덕구치매안심센터 = 대전광역시 대덕구 치매안심센터).
    assert "service 277" in result.output
    assert "address 표에서 뺀 주소 277곳 (우편번호 없음 277곳)" in result.output
    result = runner.invoke(main, ["--db", str(tmp_path / "b.db"), "import", str(tmp_path / "pkg" / "datapackage.json")])
    assert result.exit_code == 0, result.output
    assert "새 기관 277" in result.output


def test_not_a_package_is_refused(db, tmp_path):
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps({"resources": [{"name": "x", "path": "x.csv"}]}), encoding="utf-8")
    with pytest.raises(HSDSError, match="HSDS"):
        import_file(db, path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(HSDSError):
        import_file(db, path)


def _against_the_specification(out) -> "frictionless.Report":  # noqa: F821
    """Validate the exported folder with the specification's own datapackage.json (paths are the standard's)."""
    official = json.loads(OFFICIAL.read_text(encoding="utf-8"))
    copy = out / "_hsds_3.0.0_datapackage.json"
    copy.write_text(json.dumps(official, ensure_ascii=False), encoding="utf-8")
    try:
        return validate(str(copy))
    finally:
        copy.unlink()


def test_descriptor_is_the_specifications():
    """Our datapackage.json has the specification's tables, files, fields, types, formats and required flags."""
    official = {r["name"]: r for r in json.loads(OFFICIAL.read_text(encoding="utf-8"))["resources"]}
    ours = {r["name"]: r for r in descriptor()["resources"]}
    assert list(ours) == list(official)
    for name, resource in official.items():
        assert ours[name]["path"] == resource["path"]
        want = [(f["name"], f["type"], f.get("format"), f["constraints"]["required"], f["constraints"]["unique"],
                 f["constraints"].get("enum")) for f in resource["schema"]["fields"]]
        have = [(f["name"], f["type"], f.get("format"), f["constraints"]["required"], f["constraints"]["unique"],
                 f["constraints"].get("enum")) for f in ours[name]["schema"]["fields"]]
        assert have == want, name
        keys = {(k["fields"], k["reference"]["resource"]) for k in resource["schema"].get("foreignKeys", [])}
        assert keys <= {(f, ref) for f, ref in FOREIGN_KEYS.get(name, [])}, name


def test_export_of_the_real_lists_validates_against_the_specification(demo_db_path, tmp_path):
    """The demo's real lists, exported, give 0 errors against the official HSDS 3.0.0 descriptor."""
    db = connect(demo_db_path)
    try:
        report = export_hsds(db, tmp_path / "out")
        with_address = db.execute("SELECT count(*) FROM agencies WHERE coalesce(road_address, lot_address) "
                                  "IS NOT NULL").fetchone()[0]
        with_postcode = db.execute("SELECT count(*) FROM agencies WHERE postcode IS NOT NULL").fetchone()[0]
    finally:
        db.conn.close()
    result = _against_the_specification(tmp_path / "out")
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert sum(len(task.errors) for task in result.tasks) == 0
    counts = report.counts
    assert counts["address"] + report.addresses_left_out == with_address
    assert counts["address"] >= with_postcode > 3000  # the 행정복지센터 list gives postcodes
    assert report.postcodes_from_same_building > 0  # e.g. a centre inside a 행정복지센터's building
    assert report.addresses_left_out == report.without_postcode > 0
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert f"주소 {report.addresses_left_out}곳" in package["description"]


def test_the_specification_catches_an_address_without_postcode(exported, tmp_path):
    """The check can fail: an address row without its postcode is an error against the specification."""
    import shutil

    _, out, _ = exported
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert _against_the_specification(copy).valid
    with open(copy / PATHS["location"], encoding="utf-8") as fh:
        location = next(csv.DictReader(fh))["id"]
    with open(copy / PATHS["address"], "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["0b5e4f0c-62a5-5d55-8f5e-1b1f3c3f0a11", location, "", "서울특별시 중구 세종대로 110",
                                 "", "중구", "", "서울특별시", "", "KR", "physical"])
    errors = _against_the_specification(copy).flatten(["fieldName", "type"])
    assert errors == [["postal_code", "constraint-error"]]


def test_addresses_without_postcode_stay_with_their_location(exported):
    """281 of 281 dementia-list addresses have no postcode: no address row, the location keeps the text."""
    db, out, counts = exported
    with open(out / PATHS["location"], encoding="utf-8") as fh:
        locations = list(csv.DictReader(fh))
    with open(out / PATHS["attribute"], encoding="utf-8") as fh:
        attributes = list(csv.DictReader(fh))
    with_address = db.execute("SELECT count(*) FROM agencies WHERE coalesce(road_address, lot_address) "
                              "IS NOT NULL").fetchone()[0]
    assert counts["address"] == 0 and with_address > 550  # none of these lists gives a postcode
    assert sum(1 for r in locations if r["description"].startswith("주소: ")) == with_address
    roads = [a for a in attributes if a["link_type"] == "road_address" and a["link_entity"] == "location"]
    assert len(roads) == db.execute("SELECT count(*) FROM agencies WHERE road_address IS NOT NULL").fetchone()[0]
    assert {a["link_type"] for a in attributes} >= set(ADDRESS_FIELDS) - {"postcode"}


def test_postcode_and_sejong_make_an_address_row(db, tmp_path):
    """With a postcode the address is an address row, in 세종 too (the 시도 is its city); a building shares its postcode."""
    listing = tmp_path / "list.csv"
    listing.write_text("시설명,주소,우편번호,전화번호\n세종시치매안심센터,세종특별자치시 조치원읍 군청로 87-16,30016,044-301-2000\n"
                       "같은건물센터,\"세종특별자치시 조치원읍 군청로 87-16, 2층\",,044-301-2001\n", encoding="utf-8")
    import_file(db, listing)
    report = export_hsds(db, tmp_path / "out")
    assert report.counts["address"] == 2 and report.addresses_left_out == 0
    assert report.postcodes_from_same_building == 1  # the second centre is in the first one's building
    with open(tmp_path / "out" / PATHS["address"], encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["city"], r["state_province"], r["postal_code"]) for r in rows} == {("세종특별자치시", "세종특별자치시", "30016")}
    assert _against_the_specification(tmp_path / "out").valid
    again = connect(tmp_path / "again.db")
    import_file(again, tmp_path / "out" / "datapackage.json")
    assert {tuple(r) for r in again.execute("SELECT sido, sigungu, postcode FROM agencies")} == {
        ("세종특별자치시", "세종특별자치시", "30016")}
    again.conn.close()
