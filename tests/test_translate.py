"""Templates translate through one catalogue per locale (web/translate.py): the same words as Flask-Babel's."""
from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, gettext


def test_template_words_follow_the_request_forced_and_default_locale(app):
    template = "{{ _('기관 찾기') }}|{{ _('%(km)s km 이내', km='<3>') }}|{{ gettext('전화') }}"
    with app.test_request_context("/?lang=en"):
        english = render_template_string(template)
        assert english.split("|")[0] == gettext("기관 찾기") != "기관 찾기"
        assert "&lt;3&gt;" in english  # variables escaped as Jinja's own new-style gettext does
        with force_locale("ko"):
            assert render_template_string(template).split("|")[0] == "기관 찾기"
        assert render_template_string(template) == english
    with app.test_request_context("/"):
        korean = render_template_string(template)
        assert korean.startswith("기관 찾기|&lt;3&gt; km 이내|전화")


def test_search_page_in_english_has_no_korean_row_labels(client, store):
    page = client.get("/search?q=%EC%B9%98%EB%A7%A4&lang=en").get_data(as_text=True)
    assert 'class="tel"' in page and "전화" not in page.split('<ul class="agencies results">')[1]
    korean = client.get("/search?q=%EC%B9%98%EB%A7%A4&lang=ko").get_data(as_text=True)
    assert ">전화 " in korean and "/agencies/" in korean
