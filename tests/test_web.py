def test_home_lists_categories_and_complexes(client):
    page = client.get("/").get_data(as_text=True)
    assert "보건의료" in page
    assert "단지" in page


def test_agency_list_filters(client):
    page = client.get("/agencies/?category=보건의료&sido=서울특별시").get_data(as_text=True)
    assert "치매안심센터" in page
    assert "부산광역시" not in page.split("<ul class=\"agencies\">")[1]


def test_agency_page_shows_phone_link_and_sources(client, app):
    from directory.store import connect

    db = connect(app.config["DATABASE"])
    agency_id = db.execute("SELECT id FROM agencies WHERE name = '곡성군치매안심센터'").fetchone()[0]
    page = client.get(f"/agencies/{agency_id}").get_data(as_text=True)
    assert 'href="tel:061-360-8981"' in page
    assert page.count("전국치매센터표준데이터") == 2 and "dementia_centers" not in page


def test_missing_agency_is_404(client):
    assert client.get("/agencies/999999").status_code == 404


def test_viewport_meta_for_phones(client):
    assert 'name="viewport"' in client.get("/").get_data(as_text=True)
