"""The words for every error code the core raises: code -> Korean template.

The core raises codes and parameters (:mod:`directory.errors`); this table
is the one place their sentences are written, apart from the raise sites.
Korean is the source language: the templates are the msgids of the web's
Babel catalogue (``web/i18n.py`` adds them), so the web answers in the
request's language and the CLI prints the Korean. Templates use
``%(name)s`` placeholders (gettext's python-format).

A code's HTTP status follows its suffix (``web/errors.py``): ``_not_found``
404, ``_conflict`` 409, ``_forbidden`` 403, anything else 400.
"""
from __future__ import annotations

__all__ = ["MESSAGES", "LABEL_PARAMS", "render"]

# Parameters whose values are Korean vocabulary labels (from the core's own
# tables); a translating shell translates them too before filling the template.
LABEL_PARAMS = frozenset({"where", "what"})

MESSAGES: dict[str, str] = {
    # a code no template knows yet still says something
    "error": "요청을 처리할 수 없습니다.",
    "store_error": "저장소를 사용할 수 없습니다.",
    "agency_not_found": "기관을 찾을 수 없습니다: %(agency_id)r",
    "complex_not_found": "단지를 찾을 수 없습니다: %(complex_id)r",
    "store_unopenable": "데이터베이스를 열 수 없습니다: %(path)s (%(detail)s)",
    "not_sqlite_store": "SQLite 데이터베이스가 아닙니다: %(path)s (%(detail)s)",
    "newer_store": "이 데이터베이스는 더 새로운 버전(스키마 %(version)s)입니다; 프로그램을 업데이트하세요.",
    "unknown_filter": "알 수 없는 필터: %(column)r",
    # directory.privacy
    "personal_data": "%(where)s에 %(what)s%(shown)s%(particle)s 있습니다. "
                     "입주민의 이름, 주민등록번호, 휴대전화번호, 동·호수 등 개인정보는 적지 마세요.",
    # network.links / network.contacts
    "link_not_found": "연계를 찾을 수 없습니다: %(link_id)r",
    "contact_not_found": "연락 기록을 찾을 수 없습니다: %(contact_id)r",
    "unknown_level": "알 수 없는 연락 빈도: %(level)r (1~5)",
    "unknown_content_type": "알 수 없는 연계 내용: %(value)r (%(known)s 중 하나)",
    "link_deleted_conflict": "그 사이 다른 사람이 이 연계를 삭제했습니다. 새로 만들려면 다시 시도하세요.",
    "link_conflict": "그 사이 다른 사람이 이 연계를 바꾸었습니다 (읽은 버전 %(expected)s, 현재 %(current_version)s). "
                     "새로 고친 뒤 다시 저장하세요.",
    "note_too_long": "메모는 %(limit)s자 이내로 적어 주세요 (지금 %(length)s자).",
    "bad_date": "날짜 형식이 올바르지 않습니다: %(value)r (예: 2024-05-01)",
    "future_date": "미래 날짜는 기록할 수 없습니다: %(day)s",
    "date_too_early": "%(year)s년 이전 날짜는 기록할 수 없습니다: %(day)s",
    # network.recommend / measures / report / gaps
    "need_missing": "필요(유형 또는 낱말)를 입력하세요. 예: 치매, 술, 일자리, 장애인복지관",
    "unknown_need": "알 수 없는 필요입니다: %(need)r. 기관 유형(예: 치매안심센터)이나 낱말(%(words)s …)을 쓰세요.",
    "unknown_diversity_index": "알 수 없는 다양성 지수: %(index)r (shannon 또는 simpson)",
    "unknown_report_level": "알 수 없는 수준: %(level)r (agency 또는 type)",
    "unknown_report_table": "알 수 없는 표: %(table)r (agencies, complexes, types, gaps)",
    "bad_threshold": "%(file)s %(row)s행: threshold 가 숫자가 아닙니다: %(value)r",
}


class _Params(dict):
    """Template parameters; a missing one shows as ? rather than failing the error message itself."""

    def __missing__(self, key):
        return "?"


def render(code: str, params: dict | None = None, translate=None) -> str:
    """The sentence for `code` with `params`; `translate` (a gettext) picks the language, Korean without.

    >>> render("link_not_found", {"link_id": 5})
    '연계를 찾을 수 없습니다: 5'
    >>> render("no_such_code", {"x": 1})
    'no_such_code (x=1)'
    """
    params = dict(params or {})
    template = MESSAGES.get(code)
    if template is None:
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{code} ({detail})" if detail else code
    if translate is not None:
        template = translate(template)
        for key in LABEL_PARAMS & params.keys():
            if isinstance(params[key], str) and params[key]:
                params[key] = translate(params[key])
    try:
        return template % _Params(params)
    except (TypeError, ValueError):  # a template and its parameters disagree: say the code, never crash
        return f"{code} {params!r}"
