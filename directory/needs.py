"""The needs rule: which agency kinds a worker's words ask for, and how strongly.

A housing welfare worker types a need the way they would say it: 우울증 상담,
고독사 예방, 기초수급 신청, 술 문제. The lexicon
(``data/reference/needs_words.csv``, read by `directory.vocabulary.needs_lexicon`)
maps need words from the field's documents to agency kinds with a weight
(1 = the kind that answers it, less = a kind that also helps). This module
is the one rule that turns a word into those kinds: the search
(`directory.search`) and the recommendations (`network.recommend`) both
call it, so "우울" means the same agencies on every page.

A word is a need when it is a lexicon word, optionally followed by words
that do not change the need (우울**증**, 장애**인**, 기초수급**자**, 고독사**예방**,
치매**검사**) or joined with another need (알코올중독). Words that say how
rather than what (상담, 신청, 문의, 곳, 받을 …: `GENERIC_WORDS`) rank but
never decide what is found.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .normalize import name_key
from .vocabulary import NEEDS_FILE, needs_lexicon

__all__ = ["GENERIC_WORDS", "GROUP_WORDS", "Lexicon", "lexicon", "need_kinds", "is_generic", "kinds_for_words"]

# Words of a request that say how or where, not what: they only rank. The
# first row are the issue's own examples of words that match nothing useful.
GENERIC_WORDS = frozenset("""
    상담 곳 받을 알아보기 문의 신청
    문제 검사 검진 치료 지원 관련 예방 위기 센터 기관 서비스 도움 안내 정보 연락처 전화 전화번호 방법
    받기 받고 받는 받으려면 알아보다 알아봐 찾기 찾아 찾는 어디 어디서 어디에 근처 주변 가까운 가까이
    하는 할 수 있는 있나요 해요 해주는 데 것 좀 필요 필요해요 연계 의뢰 가능 무료 예약 등록 신고
    입주민 주민분 대상자 사례 사례관리 교육 프로그램 사업 세대 가구 물품 비용 모임 회의 오늘 지금 당장 빨리 급해요
""".split())

# Words that say who, not what: 노인 일자리 asks for jobs (for older people),
# not for everything that mentions 노인. Beside a need they rank (their
# kinds first: 시니어클럽 before 고용센터); alone they are the need.
GROUP_WORDS = frozenset("노인 어르신 아동 청소년 여성 남성 독거 1인가구".split())

# What may follow a need word inside one word without changing it.
_TRAILING = tuple(sorted(GENERIC_WORDS | {
    "증", "인", "자", "병", "환자", "피해", "피해자", "의심", "걱정", "증상", "상담소", "지원금", "급여", "비", "관리",
    # endings and particles: 불안해서, 장애인이, 치매를
    "해서", "해요", "하다", "하고", "한", "이", "가", "을", "를", "은", "는", "에", "의", "도", "로", "으로",
}, key=len, reverse=True))


def is_generic(word: str) -> bool:
    """Whether a query word only says how (상담, 신청, 곳 …), not what.

    >>> is_generic("상담"), is_generic("우울증")
    (True, False)
    """
    return word in GENERIC_WORDS


@dataclass(frozen=True)
class Lexicon:
    """Need words -> ((canonical agency kind, weight), …), most fitting first."""

    words: dict
    heads: tuple  # the words, longest first (알코올 before 술)

    def __contains__(self, word: str) -> bool:
        return word in self.words


_CACHE: dict = {}
_LOCK = threading.Lock()


def lexicon(taxonomy) -> Lexicon:
    """The needs lexicon with kinds made canonical by `taxonomy` (re-read when the file changes).

    Kinds the taxonomy does not know are left out (a store whose reference
    tables predate them), as are words left with no kind.
    """
    try:
        mtime = NEEDS_FILE.stat().st_mtime_ns
    except OSError:
        mtime = None
    key = (mtime, tuple(sorted(taxonomy.type_category)), tuple(sorted(taxonomy.aliases.items())))
    with _LOCK:
        cached = _CACHE.get("lexicon")
        if cached and cached[0] == key:
            return cached[1]
    words: dict[str, tuple] = {}
    for word, kinds in needs_lexicon().items():
        word = name_key(word).lower()
        merged: dict[str, float] = {}
        for kind, weight in kinds:
            kind = taxonomy.canonical_type(kind) or kind
            if kind in taxonomy.type_category and weight > merged.get(kind, 0.0):
                merged[kind] = weight
        if word and merged:
            words[word] = tuple(merged.items())
    found = Lexicon(words, tuple(sorted(words, key=len, reverse=True)))
    with _LOCK:
        _CACHE["lexicon"] = (key, found)
    return found


def need_kinds(word: str, lex: Lexicon) -> list[tuple[str, float]]:
    """The kinds one query word asks for, with weights; [] when it is not a need.

    >>> from directory.store import connect, taxonomy
    >>> lex = lexicon(taxonomy(connect(":memory:")))
    >>> [k for k, _ in need_kinds("우울증", lex)][:2]
    ['정신건강복지센터', '자살예방센터']
    >>> need_kinds("알코올중독", lex) == need_kinds("알코올", lex)
    True
    >>> need_kinds("송파구", lex)
    []
    """
    word = name_key(word).lower()
    if len(word) < 1:
        return []
    merged: dict[str, float] = {}
    rest = word
    first = True
    while rest:
        head = next((h for h in lex.heads if rest.startswith(h)), None)
        if head is None:
            # What is left must only qualify the need: 우울[증], 기초수급[자], 고독사[예방].
            if first or not _only_trailing(rest):
                return []
            break
        first = False
        for kind, weight in lex.words[head]:
            if weight > merged.get(kind, 0.0):
                merged[kind] = weight
        rest = rest[len(head):]
    return list(merged.items())


def _only_trailing(rest: str) -> bool:
    """Whether `rest` is made only of words that follow a need (증, 인, 문제, 상담 …)."""
    while rest:
        piece = next((t for t in _TRAILING if rest.startswith(t)), None)
        if piece is None:
            return False
        rest = rest[len(piece):]
    return True


def kinds_for_words(words: list[str], taxonomy, lex: Lexicon | None = None) -> list[tuple[str, float]]:
    """Every kind a phrase's words ask for (a kind named outright weighs 1), best first.

    A word that names a kind (정신보건센터, 노인일자리) counts as that kind;
    a need word as its kinds; the strongest weight of a kind wins; kinds
    keep the order of their first mention among equal weights.

    >>> from directory.store import connect, taxonomy
    >>> tax = taxonomy(connect(":memory:"))
    >>> [k for k, _ in kinds_for_words(["술", "문제"], tax)]
    ['중독관리통합지원센터', '정신건강복지센터']
    """
    lex = lex or lexicon(taxonomy)
    merged: dict[str, float] = {}
    for word in words:
        named = taxonomy.canonical_type(word)
        found = [(named, 1.0)] if named else need_kinds(word, lex)
        for kind, weight in found:
            if weight > merged.get(kind, 0.0):
                merged[kind] = weight
    order = {kind: i for i, kind in enumerate(merged)}
    return sorted(merged.items(), key=lambda kv: (-kv[1], order[kv[0]]))
