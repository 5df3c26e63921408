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
