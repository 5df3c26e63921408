"""A store made before a reference file changed picks up new types on open."""
from directory.store import connect, taxonomy


def test_new_types_and_aliases_reach_an_older_store(tmp_path):
    path = tmp_path / "old.db"
    db = connect(path)
    # Pretend the store was made by a release without these rows.
    db.execute("DELETE FROM type_aliases WHERE type = '노숙인자활시설'")
    db.execute("DELETE FROM agency_types WHERE name = '노숙인자활시설'")
    db.execute("UPDATE meta SET value = 'older' WHERE key = 'reference_digest'")
    db.conn.commit()
    db.conn.close()

    db = connect(path)
    tax = taxonomy(db)
    assert tax.type_category["노숙인자활시설"] == "복지기관"
    # 자활시설 is a homeless rehabilitation facility, never a jobs agency.
    assert tax.infer_type("서울자활시설") == "노숙인자활시설"
    assert tax.infer_type("강서지역자활센터") == "지역자활센터"


def test_unchanged_reference_is_not_reseeded(tmp_path):
    from directory.schema import refresh_reference

    db = connect(tmp_path / "s.db")
    assert refresh_reference(db) is False


def test_a_store_keyed_by_an_older_address_rule_gets_new_keys(tmp_path):
    from directory.schema import migrate, refresh_address_keys
    from directory.store import connect

    db = connect(tmp_path / "k.db")
    migrate(db)
    with db.conn:
        db.execute("INSERT INTO agencies (name, name_key, road_address, address_key, updated_at) "
                   "VALUES ('함안군보건소', '함안군보건소', '경상남도 함안군 군청로 87-16 2층', "
                   "'경상남도|함안군|군청로87-162', '2026-01-01')")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'address_key_version'")
    assert refresh_address_keys(db) == 1
    assert db.execute("SELECT address_key FROM agencies").fetchone()[0] == "경상남도|함안군|군청로87-16"
    assert refresh_address_keys(db) == 0
