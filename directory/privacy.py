"""The one personal-data detector: residents' names, ID and phone numbers, flat numbers.

Yeongye stores agencies, never residents. Every free text a person types or a
list carries into the store (contact and link notes, correction requests,
columns an import did not map) goes through :func:`find_personal_data` or
:func:`check_personal_data` here, so one definition of "looks like a
resident's personal data" serves them all.

The patterns are data, in ``data/reference/personal_data_patterns.csv``:

- ``pattern`` rows: a regular expression with a kind code (``rrn``,
  ``rrn_masked``, ``mobile``, ``unit``, ``name``, ``name_label``,
  ``name_resident``, ``name_age``) and ``needs``, a quick expression the
  text must contain before the pattern is tried (an import screens a
  million cells). A pattern with a ``name`` group also
  says how that word is judged (``check``): ``surname`` (one syllable, a
  surname: 김씨), ``before`` (the word before 씨/님 or a bracketed age; a
  name may be glued to a longer word), ``after`` (the word after 성명:),
  ``strict`` (exactly a surname and two syllables, not ending like a noun:
  입주민 김철수 but not 주민 설명회).
- ``title`` rows: job titles and kinship words (이사, 강사, 센터장 …). A word
  before 씨/님 that ends with one is a title, not a resident: 이사님 면담.
- ``not_name`` rows: common words that start with a surname syllable
  (마음씨, 독거 어르신, 주민 공동체); ``word`` rows: ordinary words ending
  in 씨 or 님 (날씨, 솜씨, 하느님).
- ``surnames``/``surname``, ``mask`` (김OO, 800101-1******), ``ending`` and
  ``particle`` rows for the ``strict`` check.

Text is NFKC-normalised first (fullwidth ８００１０１－１２３４５６７ is
800101-1234567), invisible format characters are removed and dashes unified,
so a number cannot slip through in another script. Landline numbers (02-…,
031-…) are agencies' phones and pass.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .errors import YeongyeError
from .messages import render
from .paths import REFERENCE_DIR

__all__ = [
    "PATTERNS_FILE", "KINDS", "WARNING", "Finding", "PersonalDataError",
    "normalize", "find_personal_data", "check_personal_data", "describe_kind",
]

PATTERNS_FILE = REFERENCE_DIR / "personal_data_patterns.csv"

# Kind code -> what the user is told was seen (Korean; the web shows it as is).
KINDS = {
    "rrn": "주민등록번호로 보이는 숫자",
    "rrn_masked": "일부를 가린 주민등록번호",
    "mobile": "휴대전화번호로 보이는 번호",
    "unit": "동·호수로 보이는 주소",
    "name": "사람 이름으로 보이는 말",
    "name_label": "이름 칸에 적힌 이름",
    "name_resident": "입주민 이름으로 보이는 말",
    "name_age": "이름과 나이",
}
# Kinds whose matched text may be shown back to help find it (never the numbers).
_SHOWN = {"name", "name_label", "name_resident", "name_age", "unit"}
# Field code -> its Korean label in messages.
FIELDS = {"note": "메모", "message": "수정 요청 내용", "contact": "연락처", "reason": "사유", "column": "열"}
WARNING = "입주민의 이름, 주민등록번호, 휴대전화번호, 동·호수 등 개인정보는 적지 마세요."


@dataclass(frozen=True)
class Finding:
    """One piece of text that looks like personal data: its kind code and span in the normalised text."""

    kind: str
    start: int
    end: int
    text: str


class PersonalDataError(YeongyeError, ValueError):
    """A text looks like it holds a resident's personal data (`kind` says what, `field` where)."""

    code = "personal_data"

    def __init__(self, kind: str, *, field: str | None = None, shown: str | None = None):
        self.kind = kind
        self.field = field
        self.shown = shown if kind in _SHOWN else None
        super().__init__(kind=kind, field=field, **_labels(kind, field, self.shown))


def describe_kind(kind: str, *, field: str | None = None, shown: str | None = None) -> str:
    """The Korean sentence for a finding: where, what, and the reminder (it always says 개인정보).

    >>> describe_kind("mobile", field="note")
    '메모에 휴대전화번호로 보이는 번호가 있습니다. 입주민의 이름, 주민등록번호, 휴대전화번호, 동·호수 등 개인정보는 적지 마세요.'
    """
    return render("personal_data", _labels(kind, field, shown))


def _labels(kind: str, field: str | None, shown: str | None) -> dict:
    """The message parameters of a finding: the field's and the kind's labels (translated by the shells)."""
    what = KINDS.get(kind, "개인정보로 보이는 말")
    return {"where": FIELDS.get(field or "", field or "글"), "what": what,
            "shown": f"({shown!r})" if shown else "",
            "particle": _subject(what)}  # 이/가 follows the noun, not the quoted text


_INVISIBLE = re.compile(r"[\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u3164\ufeff\uffa0]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d\u30fc]")


def normalize(text) -> str:
    """The text the detector reads: NFKC, no invisible characters, one kind of dash, single spaces.

    >>> normalize("８００１０１－１２３４５６７")
    '800101-1234567'
    """
    text = unicodedata.normalize("NFKC", str(text))
    text = _INVISIBLE.sub("", text)
    text = _DASHES.sub("-", text)
    return " ".join(text.split())


def find_personal_data(text) -> list[Finding]:
    """Every piece of `text` that looks like a resident's personal data, in order.

    Spans refer to :func:`normalize` (text). An empty list means the text may be stored.

    >>> [(f.kind, f.text) for f in find_personal_data("김철수씨 800101-1234567 010-1234-5678")]
    [('name', '김철수씨'), ('rrn', '800101-1234567'), ('mobile', '010-1234-5678')]
    >>> find_personal_data("이사님 면담, 대표번호 02-2600-5926")
    []
    """
    if text is None:
        return []
    return list(_find(str(text)))


@lru_cache(maxsize=8192)
def _find(text: str) -> tuple[Finding, ...]:
    """find_personal_data, remembered: a list repeats its values (dates, codes, 해당없음)."""
    clean = normalize(text)
    rules = _rules()
    if not clean or not rules.trigger.search(clean):  # most text has nothing any pattern needs
        return ()
    found = []
    for kind, check, needs, regex in rules.patterns:
        if not needs.search(clean):
            continue
        for match in regex.finditer(clean):
            if check and not _names_a_person(match, check, rules):
                continue
            found.append(Finding(kind, match.start(), match.end(), match.group(0)))
    found.sort(key=lambda f: (f.start, -f.end))
    kept, last_end = [], -1
    for f in found:  # one finding per stretch of text (김철수씨 is a name, not also 김씨)
        if f.start >= last_end:
            kept.append(f)
            last_end = f.end
    return tuple(kept)


def check_personal_data(text, *, field: str | None = None, kinds=None, error=PersonalDataError) -> None:
    """Raise `error` (a :class:`PersonalDataError`) for the first finding in `text`.

    `kinds` limits the check to some kind codes (a requester's own contact
    may hold a phone number, but never a 주민등록번호). `error` lets a domain
    raise its own subclass (``network.contacts.PersonalDataError``).

    >>> check_personal_data("통합사례회의 참석", field="note")
    >>> check_personal_data("입주민 김철수 방문", field="note")
    Traceback (most recent call last):
    ...
    directory.privacy.PersonalDataError: 메모에 입주민 이름으로 보이는 말('입주민 김철수')이 있습니다. 입주민의 이름, 주민등록번호, 휴대전화번호, 동·호수 등 개인정보는 적지 마세요.
    """
    for finding in find_personal_data(text):
        if kinds is None or finding.kind in kinds:
            raise error(finding.kind, field=field, shown=finding.text)


# --- helpers ------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    patterns: tuple
    trigger: re.Pattern
    titles: tuple
    words: tuple
    not_names: frozenset
    surnames: frozenset
    compound: frozenset
    mask: frozenset
    endings: frozenset
    particles: frozenset


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    """The patterns file, read and compiled once."""
    with open(PATTERNS_FILE, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    values = lambda rule: [r["value"] for r in rows if r["rule"] == rule]  # noqa: E731
    mask = "".join(values("mask"))
    mask_class = "".join(re.escape(c) for c in mask)
    patterns = []
    for row in rows:
        if row["rule"] != "pattern":
            continue
        if row["kind"] not in KINDS or row["check"] not in ("", "surname", "before", "after", "strict"):
            raise ValueError(f"{PATTERNS_FILE.name}: 알 수 없는 kind/check: {row['kind']!r}, {row['check']!r}")
        regex = re.compile(row["value"].replace("<mask>", mask_class))
        if bool(row["check"]) != ("name" in regex.groupindex):
            raise ValueError(f"{PATTERNS_FILE.name}: check는 (?P<name>…) 이 있는 줄에만 씁니다: {row['value']!r}")
        needs = row["needs"] or "."
        patterns.append((row["kind"], row["check"], re.compile(needs), regex))
    return _Rules(
        patterns=tuple(patterns),
        trigger=re.compile("|".join(f"(?:{p[2].pattern})" for p in patterns)),
        titles=tuple(sorted(set(values("title")), key=len, reverse=True)),
        words=tuple(values("word")),
        not_names=frozenset(values("not_name")),
        surnames=frozenset("".join(values("surnames"))),
        compound=frozenset(values("surname")),
        mask=frozenset(mask),
        endings=frozenset("".join(values("ending"))),
        particles=frozenset("".join(values("particle"))),
    )


def _names_a_person(match: re.Match, check: str, rules: _Rules) -> bool:
    """Whether the word a name pattern caught is a person's name, by the row's `check`."""
    word = match.group("name")
    if word in rules.not_names or match.group(0).replace(" ", "").endswith(rules.words):
        return False
    if check == "surname":
        return word in rules.surnames
    if check == "strict":
        if len(word) == 4 and word[-1] in rules.particles and _surname_length(word[:3], rules):
            word = word[:3]  # 입주민 김철수가
        return not _is_title(word, rules) and _looks_like_name(word, rules, strict=True)
    if check == "after":  # the word right after 성명: — a name, perhaps with text glued on
        candidates = [word] if len(word) <= 4 else [word[:3]]
        return any(_looks_like_name(c, rules) for c in candidates)
    # "before": the word in front of 씨/님; its end may be a title (사회복지사님).
    if _is_title(word, rules):
        return False
    candidates = [word] if len(word) <= 4 else []
    if len(word) > 3:
        candidates.append(word[-3:])  # 우리동네김철수씨
    return any(_looks_like_name(c, rules) for c in candidates if c not in rules.not_names)


def _is_title(word: str, rules: _Rules) -> bool:
    return any(word.endswith(t) for t in rules.titles)


def _surname_length(word: str, rules: _Rules) -> int:
    """1 or 2 when the word starts with a surname (남궁 is two), else 0."""
    if len(word) >= 3 and word[:2] in rules.compound:
        return 2
    return 1 if word[:1] in rules.surnames else 0


def _looks_like_name(word: str, rules: _Rules, *, strict: bool = False) -> bool:
    """A surname and one to three syllables (a masked 김OO counts); strictly, surname + two."""
    if word in rules.not_names:
        return False
    surname = _surname_length(word, rules)
    if not surname:
        return False
    rest = word[surname:]
    if rest and all(c in rules.mask for c in rest):
        return 1 <= len(rest) <= 3
    if any(c in rules.mask for c in rest[:1]):
        return False
    if strict:
        return len(rest) == 2 and word[-1] not in rules.endings and not any(c in rules.mask for c in rest[-1:])
    return 1 <= len(rest) <= 3


def _subject(text: str) -> str:
    """이 after a last syllable with 받침, else 가."""
    for ch in reversed(text):
        if "가" <= ch <= "힣":
            return "이" if (ord(ch) - 0xAC00) % 28 else "가"
    return "이"
