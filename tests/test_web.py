import re

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


# --- one tap from sign-in (issue 16) -----------------------------------------------


def _sign_in(client, store, name="worker", complexes=("B",)):
    from directory import accounts

    from .conftest import TEST_PASSWORD

    accounts.create_user(store, name, TEST_PASSWORD, "worker", display_name="B 복지사", complexes=list(complexes))
    form = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return client.get("/").get_data(as_text=True)


def test_after_sign_in_the_home_page_shows_the_workers_complex_and_its_cards(client, store, cheap_hashes):
    page = _sign_in(client, store)
    assert "B 단지 가까운 기관" in page
    cards = page.split('<ul class="place-cards">')[1].split("</ul>")[0]
    for kind in ("정신건강복지센터", "치매안심센터", "행정복지센터", "사회복지관", "보건소"):
        assert f'<span class="kind">{kind}</span>' in cards
    # the nearest 정신건강복지센터 first, with its distance, dial link, directions and referral card
    first = cards.split('<li class="place-card">')[1]
    assert "강서구정신건강복지센터" in first and 'href="tel:02-2600-5926"' in first
    assert "1.7 km" in first and "정확한 위치" in first
    assert 'href="https://map.kakao.com/link/to/' in first and 'href="https://map.naver.com/index.nhn?' in first
    assert "/card" in first
    # the worker's search is around the complex, so results carry distances
    assert '<input type="hidden" name="complex" value="B">' in page
    # the study's complexes sit at stand-in positions: the page says distances are rough
    assert "거리는 대략적입니다" in page


def test_home_search_from_the_complex_shows_distances(client, store, cheap_hashes):
    _sign_in(client, store)
    page = client.get("/search?complex=B&q=치매").get_data(as_text=True)
    assert 'class="distance"' in page and " km" in page.split('<ul class="agencies results">')[1]


def test_complex_rows_on_the_home_page_are_links(client, store):
    page = client.get("/").get_data(as_text=True)
    for cid, name in store.execute("SELECT id, name FROM complexes").fetchall():
        assert f'<a href="/complexes/{cid}">{name}</a>' in page
        assert f'href="/?complex={cid}"' in page


def test_anyone_may_open_a_complexs_cards_and_an_unknown_one_is_404(client, store):
    assert "place-cards" not in client.get("/").get_data(as_text=True)
    cid = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    page = client.get(f"/?complex={cid}").get_data(as_text=True)
    assert "A 단지 가까운 기관" in page and "노원구정신건강복지센터" in page
    missing = client.get("/?complex=99999")
    assert missing.status_code == 404 and "단지를 찾을 수 없습니다" in missing.get_data(as_text=True)


def test_referral_card_has_what_a_resident_needs_and_keeps_no_notes(client, store):
    agency = store.execute("SELECT id, name, phone, road_address FROM agencies "
                           "WHERE name = '강서구정신건강복지센터'").fetchone()
    cid = store.execute("SELECT id FROM complexes WHERE name = 'B'").fetchone()[0]
    response = client.get(f"/agencies/{agency[0]}/card?complex={cid}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    share = page.split('class="share-text"')[1].split("</textarea>")[0]
    for text in (agency[1], f"전화: {agency[2]}", agency[3], "https://map.kakao.com/link/to/"):
        assert text in share
    assert "B 단지에서 1.7 km" in page
    # the note and what-to-bring fields have no name and sit in no form: a browser sends them nowhere
    main = page.split("<main>")[1].split("</main>")[0]
    assert "<form" not in main
    for field in ('id="resident-note"', 'class="bring-input"'):
        tag = main.split(field)[0].rsplit("<", 1)[1] + main.split(field)[1].split(">")[0]
        assert "name=" not in tag
    # POST is not a way in either
    assert client.post(f"/agencies/{agency[0]}/card", data={"note": "x"}).status_code == 405


def test_agency_page_says_placement_source_and_dates_in_words(client, store):
    agency_id = store.execute("SELECT id FROM agencies WHERE name = '곡성군치매안심센터'").fetchone()[0]
    page = client.get(f"/agencies/{agency_id}").get_data(as_text=True)
    assert "정확한 위치" in page and "전국치매센터표준데이터" in page
    assert "위치 정확도</dt><dd>exact" not in page
    assert "년" in page.split("확인일")[1].split("</dd>")[0]
