"""Korean first, English second: every visible string has an English translation."""
from __future__ import annotations

import gettext
import re

from web import i18n


def test_every_msgid_has_an_english_translation():
    template = i18n.extract()
    catalog = i18n.load("en")
    missing = [m.id for m in template if m.id and (m.id not in catalog or not catalog[m.id].string
                                                     or catalog[m.id].fuzzy)]
    assert not missing, f"{len(missing)} untranslated (run: python -m web.i18n update, then translate): {missing[:10]}"


def test_placeholders_survive_translation():
    # `particle` is Korean grammar (이/가 after a noun, directory.privacy): English has no place for it.
    def placeholders(text):
        return sorted(set(re.findall(r"%\((\w+)\)[sr]", text)) - {"particle"})

    for message in i18n.load("en"):
        if message.id and message.string:
            assert placeholders(message.id) == placeholders(message.string), message.id


def test_compiled_catalogue_matches_the_po_file():
    catalog = i18n.load("en")
    with open(i18n.po_path("en").with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in catalog:
        if message.id and message.string and not message.fuzzy:
            assert compiled.gettext(message.id) == message.string, message.id


def test_pages_switch_to_english_and_back(client):
    english = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Agencies" in english and "기관 목록" not in english
    assert "Agencies" in client.get("/agencies/").get_data(as_text=True)  # the choice is kept in the session
    korean = client.get("/?lang=ko").get_data(as_text=True)
    assert 'lang="ko"' in korean and "기관 목록" in korean


def test_api_errors_follow_the_language(client):
    client.get("/?lang=en")
    assert client.get("/api/nothing").get_json()["message"] == "Page not found."


# --- no internal codes on the pages people use (issue 16) ----------------------------

from html.parser import HTMLParser  # noqa: E402

import pytest  # noqa: E402

from directory.vocabulary import PLACEMENT_KIND_LABELS, PLACEMENTS, SOURCE_LABELS  # noqa: E402

# What a worker must never read: placement codes, source keys, `list:`/`hsds:` prefixes,
# raw timestamps, parameter names.
INTERNAL = re.compile(
    r"\b(?:" + "|".join(PLACEMENTS) + r")\b"
    r"|\b(?:" + "|".join(k for k in SOURCE_LABELS if k != "manual" and ":" not in k) + r")\b"
    r"|\b(?:list|hsds):"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d"
    r"|\b(?:radius|sigma|radius_m|sigma_m|flag)="
    r"|\b[a-z]+_[a-z_]+\b"  # any snake_case identifier
)
SEEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Visible(HTMLParser):
    """The text a person sees: text nodes outside script/style, and the attributes a browser shows."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in SEEN_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def test_visible_text_finds_codes_in_text_but_not_in_markup():
    page = '<a href="/x?placement=exact" class="placement-exact">정확한 위치</a><script>var sample=1</script>'
    assert not INTERNAL.search(visible_text(page))
    for leak in ("위치 정확도 exact", "dementia_centers · 264행", "2026-12-01T23:23:57+00:00",
                 "list:eupmyeondong_community_centers", "radius=0.0, sigma=7.5", "열 name_key"):
        assert INTERNAL.search(visible_text(f"<p>{leak}</p>")), leak


def _main_pages(store):
    """The pages a worker uses, with one agency of every placement kind and every source."""
    ids = dict(store.execute("SELECT name, id FROM complexes").fetchall())
    pages = ["/", f"/?complex={ids['B']}", f"/?complex={ids['A']}", "/agencies/", "/agencies/?category=보건의료",
             "/search?q=치매&complex=B", "/search?q=정신건강복지센터", "/complexes/", f"/complexes/{ids['B']}"]
    agencies = [r[0] for r in store.execute(
        "SELECT min(id) FROM agencies GROUP BY placement UNION SELECT min(agency_id) FROM agency_sources GROUP BY source")]
    for agency_id in agencies:
        pages += [f"/agencies/{agency_id}", f"/agencies/{agency_id}/card?complex={ids['B']}"]
    return pages


def test_main_pages_show_no_internal_codes(client, store):
    leaks = {}
    for url in _main_pages(store):
        response = client.get(url)
        assert response.status_code == 200, url
        found = sorted(set(INTERNAL.findall(visible_text(response.get_data(as_text=True)))))
        if found:
            leaks[url] = found
    assert not leaks, f"internal codes shown to users: {leaks}"


def test_placement_words_in_templates_match_the_vocabulary():
    # agencies/_words.html holds the translatable copies of directory.vocabulary's words
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": ":memory:", "SECRET_KEY": "t"})
    with app.test_request_context("/?lang=ko"):
        module = app.jinja_env.get_template("agencies/_words.html").make_module({"_": lambda s, **k: s % k if k else s})
        assert dict(module.placement_words) == PLACEMENT_KIND_LABELS


@pytest.mark.parametrize("value, expected", [
    ("2026-12-01", "2026년 12월 1일"),
    ("2026-12-01T23:23:57+00:00", "2026년 12월 2일"),  # 08:23 on the 2nd in Korea
    ("2026-12-01T10:00:00+00:00", "2026년 12월 1일"),
    ("2024.03.01", "2024년 3월 1일"),
    ("2021-09-17", "2021년 9월 17일"),
    ("수시", "수시"),
    ("2024-02-30", "2024-02-30"),
])
def test_dates_in_a_workers_words(value, expected):
    from directory.vocabulary import korean_date

    assert korean_date(value) == expected


def test_sources_and_fields_in_a_workers_words():
    from directory.vocabulary import field_label, source_label

    assert source_label("dementia_centers") == "전국치매센터표준데이터"
    assert source_label("list:eupmyeondong_community_centers") == "읍면동 주민센터·행정복지센터 목록"
    assert source_label("list:협력기관") == "기관 목록 파일 협력기관"
    assert source_label("police_boxes", "경찰청 지구대·파출소 현황") == "경찰청 지구대·파출소 현황"
    assert field_label("name") == "기관명" and field_label("phone") == "전화" and field_label("기관명") == "기관명"
