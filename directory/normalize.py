"""Normalising the text of Korean agency lists: 시도, addresses, phones, names, postcodes, home pages.

Every function takes the raw text and returns the normalised value (or None);
callers keep the raw text beside it. An imported value makes its one trip
into normalisation here (importers/run.py only calls these).
"""
from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache

from .paths import REFERENCE_DIR
from .regions import SEJONG, Region, region_index

__all__ = ["clean_text", "normalize_sido", "sido_from_label", "parse_address", "place_from_names", "normalize_phone", "phone_restored",
           "name_key", "address_key", "fix_typos", "normalize_postcode", "normalize_homepage"]

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# A road address ends at the building number: "완동길 10-5" of "완동길 10-5, 보건의료원".
# 국회대로76가길 14 and 먼우금로45번길 5 are roads of their own (a 가/나 or 번 길 off the 대로).
_ROAD_TAIL = re.compile(r"^(.*?(?:로|길)(?:\d+(?:번|[가-하])?길)?\d+(?:-\d+)?)")
_LOT_TAIL = re.compile(r"^(.*?(?:동|리|가)(?:산)?\d+(?:-\d+)?)")
# A road's or a lot's building number written with a space after it (the floor or room follows).
_SPACED_NUMBER = re.compile(r"(?:로|길|동|리|가)\s*(?:산\s*)?\d+(?:-\d+)?(?=\s)")
# What follows a 동 name that is the start of a road name (명동길, 신촌로).
_ROAD_AFTER = re.compile(r"(?:대로|로|길)\d")
_NAME_NOISE = re.compile(r"[\s·ㆍ.,_\-()\[\]{}<>\"'`~!@#$%^&*+=|\\/:;?]")


def clean_text(value) -> str | None:
    """Strip, fold Unicode compatibility forms and collapse spaces; empty gives None."""
    if value is None:
        return None
    text = str(value)
    if not text.isascii():  # ASCII is already in NFKC form
        text = unicodedata.normalize("NFKC", text)
    text = " ".join(text.split())  # the same whitespace as \s+, three times faster
    return text or None


def normalize_sido(text: str | None) -> str | None:
    """Canonical 시도 name for any of its spellings (서울, 서울시, 경북, 경상븍도 …)."""
    text = clean_text(text)
    if not text:
        return None
    return region_index().sido_aliases.get(text.replace(" ", ""))


# A 시도 written as an office's label: 서울청, 경기남부청, 부산지방경찰청, 서울남부 (노인보호전문기관).
_LABEL_TAIL = re.compile(r"(?:지방)?(?:경찰)?청$")
_LABEL_PART = re.compile(r"(?:남부|북부|동부|서부|중부)$")


def sido_from_label(text: str | None) -> str | None:
    """The 시도 of a 시도 column that may hold an office's label rather than the 시도's name.

    A 시도청 column (경기남부청, 서울청) or a regional office (서울남부) names
    its 시도 with a suffix; a label that names no 시도 (중앙) gives None.
    Kept apart from normalize_sido, which a search word goes through: there
    "남부" is a word of its own.

    >>> sido_from_label("경기북부청"), sido_from_label("서울남부"), sido_from_label("중앙")
    ('경기도', '서울특별시', None)
    """
    found = normalize_sido(text)
    if found or not text:
        return found
    compact = "".join(str(text).split())
    for stripped in (_LABEL_TAIL.sub("", compact), _LABEL_PART.sub("", _LABEL_TAIL.sub("", compact))):
        if stripped and stripped != compact:
            found = normalize_sido(stripped)
            if found:
                return found
    return None


def parse_address(text: str | None, sido: str | None = None) -> dict:
    """Split an address into 시도, 시군구 and 읍면동 where they can be recognised.

    Works on the address with its spaces removed, so "대전광역시서구둔산서로100"
    parses like "대전광역시 서구 둔산서로 100". An address without its 시도
    ("강릉시 …", "봉담읍 …") gets the 시도 when the 시군구 (or else the 읍면동)
    name is unique in the country. `sido`, the 시도 the list says in another
    column, places an address that starts at the 시군구 or 읍면동 within that
    시도 (서구 … with 대전 is 대전 서구); a name that is not unique and has no
    such 시도 stays unplaced at that level, never guessed.

    >>> parse_address("충남 서천군 서천읍 사곡길 20-2")["sido"]
    '충청남도'
    >>> parse_address("봉담읍 와우로 15번길 17")["sigungu"], parse_address("서구 만년로 74", "대전")["sido"]
    ('화성시', '대전광역시')
    """
    return dict(_parse(text, sido_from_label(sido) if sido else None)[0])


_OFFICE_WORDS = re.compile(r"(경찰서|지구대|파출소|치안센터|출장소|분소|센터)$")


def place_from_names(sido: str | None, *names: str | None) -> dict:
    """The 시군구 (and 읍면동) that an office's names give within `sido`, when the address gave none.

    A station or unit is often named after its place: 인천연수(경찰서) is
    연수구, 청주흥덕 is 청주시 흥덕구, 오송(파출소) is 오송읍 of 청주시 흥덕구.
    A name counts only when exactly one 시군구 (or 읍면동) of the 시도 fits
    it; otherwise nothing is returned — an ambiguous name is never a guess.

    >>> place_from_names("인천광역시", "인천연수경찰서")["sigungu"], place_from_names("충청북도", "오송파출소")["sigungu"]
    ('연수구', '청주시 흥덕구')
    """
    index = region_index()
    units = index.sigungu.get(sido or "", {})
    for text in names:
        key = _OFFICE_WORDS.sub("", "".join((clean_text(text) or "").split()))
        for front in sorted({sido or "", *[a for a, c in index.sido_aliases.items() if c == sido]}, key=len,
                            reverse=True):
            if front and key.startswith(front) and len(key) > len(front):
                key = key[len(front):]
                break
        if len(key) < 2:
            continue
        # 화성서부(경찰서), 김해중부: a city's stations by quarter.
        keys = {key, _LABEL_PART.sub("", key)} - {""}
        hits = {r.sigungu: r for k, r in units.items() if keys & _sigungu_spellings(r.sigungu)}
        if hits and _one_place(list(hits.values())):  # 화성군 became 화성시: one place
            region = max(hits.values(), key=_newer)
            return {"sido": region.sido, "sigungu": region.sigungu, "eupmyeondong": None, "region_code": region.code}
        found = [r for suffix in ("읍", "면", "동") for r in index.eupmyeondong_anywhere.get(key + suffix, ())
                 if r.sido == sido]
        if found and _one_place(found):
            region = max(found, key=_newer)
            return {"sido": region.sido, "sigungu": region.sigungu, "eupmyeondong": region.eupmyeondong,
                    "region_code": region.code}
    return {}


@lru_cache(maxsize=4096)
def _sigungu_spellings(sigungu: str) -> frozenset:
    """청주시 흥덕구 -> 청주시흥덕구, 청주흥덕, 청주흥덕구, 흥덕구; 연수구 -> 연수구, 연수."""
    parts = sigungu.split()
    short = [p[:-1] if len(p) > 2 else p for p in parts]
    spellings = {"".join(parts), "".join(short)}
    if len(parts) > 1:
        spellings |= {short[0] + parts[1], parts[1]}
    else:
        spellings.add(short[0])
    return frozenset(spellings)


# An import parses each address two or three times (road, lot, key): keep the
# recent answers. Callers must not change the dict they get back.
@lru_cache(maxsize=8192)
def _parse(text: str | None, hint: str | None = None) -> tuple[dict, str]:
    """parse_address plus the compact remainder after the recognised region (`hint`: a canonical 시도)."""
    result = {"sido": None, "sigungu": None, "eupmyeondong": None, "region_code": None}
    text = clean_text(text)
    if not text:
        return result, ""
    index = region_index()
    compact = _PAREN.sub("", text).replace(" ", "").replace(",", "")
    sido, rest = _match_prefix(compact, index.sido_aliases)
    region: Region | None = None
    if not sido and hint:
        words = text.split()
        # "경산남도 양산시 …": a first word that looks like a misspelt 시도
        # gives way to the 시도 the list names elsewhere.
        if len(words) > 1 and words[0][-1:] in ("도", "시") and len(words[0]) >= 3 \
                and _match_key(_strip_all(words[0]), index.sigungu.get(hint, {}))[0] is None \
                and _match_key(_strip_all(words[1]), index.sigungu.get(hint, {}))[0] is not None:
            compact = _PAREN.sub("", " ".join(words[1:])).replace(" ", "").replace(",", "")
        sido, rest = hint, compact
    hinted = sido is not None and sido == hint and not _match_prefix(compact, index.sido_aliases)[0]
    if sido:
        result["sido"] = sido
        region = index.sido_regions.get(sido)
        key, rest2 = _match_key(rest, index.sigungu.get(sido, {}))
        if sido == SEJONG:
            key, rest2 = SEJONG, rest.removeprefix(SEJONG)
        if not key and sido != SEJONG:
            key, rest2 = _gu_of_city(rest, index, sido)
        if not key and sido != SEJONG and not hinted:
            # "경남상남도 양산시 …": the rest of a misspelt first word gives way to the 시군구 after it.
            words = text.split()
            if len(words) > 1 and words[0][-1:] == "도":
                key, rest2 = _match_key(_strip_all(" ".join(words[1:])), index.sigungu.get(sido, {}))
        if key:
            region, rest = index.sigungu[sido][key], rest2
        else:
            # "광주시 오포읍" is 경기도 광주시, not 광주광역시: a short 시도 alias
            # followed by no known 시군구 may be the start of a 시군구 name.
            found = None if hinted else _unique_sigungu(compact, index)
            if found:
                region, rest = found
                result["sido"] = region.sido
    else:
        found = _unique_sigungu(compact, index) or _unique_eupmyeondong(compact, index)
        if found:
            region, rest = found
            result["sido"] = region.sido
    if region is not None and region.sigungu is None and sido and sido != SEJONG:
        # "봉담읍 …" under 경기도: the 읍면동 names the 시군구 when it is unique in the 시도.
        found = _unique_eupmyeondong(rest, index, sido)
        if found:
            region, rest = found
    if region is not None and region.sigungu and region.eupmyeondong:
        result["sigungu"], result["eupmyeondong"] = region.sigungu, region.eupmyeondong
    elif region is not None and region.sigungu:
        result["sigungu"] = region.sigungu
        units = index.eupmyeondong.get((region.sido, region.sigungu), {})
        key, rest2 = _match_key(rest, units)
        if key and not _ROAD_AFTER.match(rest2):  # 명동길 2 is a road, not 명동 + 길 2
            region, rest = units[key], rest2
            result["eupmyeondong"] = region.eupmyeondong
    if region is not None:
        result["region_code"] = region.code
    return result, rest


def _gu_of_city(rest: str, index, sido: str) -> tuple[str | None, str]:
    """"서북구 직산읍" under 충남: a 일반구 written without its 시 (천안시 서북구), when one city has it."""
    hits = [(key, region) for key, region in index.sigungu.get(sido, {}).items()
            if " " in region.sigungu and rest.startswith(_strip_all(region.sigungu.split()[1]))]
    if len(hits) == 1:
        key, region = hits[0]
        return key, rest[len(_strip_all(region.sigungu.split()[1])):]
    return None, rest


def _strip_all(text: str) -> str:
    return _PAREN.sub("", text).replace(" ", "").replace(",", "")


def _unique_eupmyeondong(compact: str, index, sido: str | None = None) -> tuple[Region, str] | None:
    """The 읍면동 that starts `compact` if its name belongs to one 시군구 (of `sido`, or of the country).

    Only names that end like a unit (읍, 면, 동, 가) and are followed by more of
    the address count, so a road name (중앙로) is never read as one.
    """
    key, rest = _match_key(compact, index.eupmyeondong_anywhere)
    if not key or key[-1] not in "읍면동가" or not rest or _ROAD_AFTER.match(rest):
        return None
    candidates = [r for r in index.eupmyeondong_anywhere[key] if sido is None or r.sido == sido]
    if _one_place(candidates):
        return max(candidates, key=_newer), rest
    return None


def _newer(region: Region) -> tuple[bool, bool]:
    """Of one unit's names over the years, the newer ranks higher: a 군 becomes a 시, a 시 a 통합시's 구."""
    return " " in (region.sigungu or ""), (region.sigungu or "").endswith("시")


def _one_place(candidates: list[Region]) -> bool:
    """Whether the units are one place: one 시군구, or one unit renamed (화성군 → 화성시, the same centroid)."""
    if not candidates:
        return False
    last = candidates[-1]
    return all((c.sido, c.sigungu) == (last.sido, last.sigungu) or abs(c.x - last.x) + abs(c.y - last.y) < 500
               for c in candidates)


def _unique_sigungu(compact: str, index) -> tuple[Region, str] | None:
    """The 시군구 that starts `compact` if its name exists in one 시도 only."""
    key, rest = _match_key(compact, index.sigungu_anywhere)
    candidates = index.sigungu_anywhere.get(key, []) if key else []
    if len({c.sido for c in candidates}) == 1:
        return candidates[0], rest
    # 고성군 is in 강원 and 경남: the 읍면동 after it (간성읍) may say which.
    hits = [c for c in candidates if _match_key(rest, index.eupmyeondong.get((c.sido, c.sigungu), {}))[0]]
    if len(hits) == 1:
        return hits[0], rest
    return None


def _match_prefix(text: str, table: dict[str, str]) -> tuple[str | None, str]:
    """Longest key of `table` that starts `text`; returns (value, remainder)."""
    key, rest = _match_key(text, table)
    return (table[key], rest) if key is not None else (None, text)


def _match_key(text: str, table: dict) -> tuple[str | None, str]:
    """Longest key of `table` (12 characters at most) that starts `text`; returns (key, remainder)."""
    for length in range(min(len(text), 12), 1, -1):
        if text[:length] in table:
            return text[:length], text[length:]
    return None, text


def normalize_phone(text: str | None) -> str | None:
    """Korean phone number with hyphens (02-1234-5678, 031-123-4567, 1588-1234).

    A number a spreadsheet stored as a number lost its leading 0 and its
    hyphens (25764400, 647461389): it is restored when "0" + the digits is a
    valid Korean number for the `phonenumbers` library (Google's numbering
    plan, so 02-576-4400 and 064-746-1389, never an invented area code).
    Anything else gives None, and the caller keeps the raw text.

    >>> normalize_phone("25764400"), normalize_phone("647461389"), normalize_phone("12345")
    ('02-576-4400', '064-746-1389', None)
    """
    text = clean_text(text)
    if not text:
        return None
    first = re.split(r"[,/~]| 및 ", text)[0]
    digits = re.sub(r"\D", "", first)
    if digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if len(digits) == 8 and digits[:2] in {"15", "16", "18"}:
        return f"{digits[:4]}-{digits[4:]}"
    if digits.startswith("02") and len(digits) in (9, 10):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if digits.startswith("0") and len(digits) in (10, 11):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    if len(digits) in (3, 4) and not digits.startswith("0"):
        return digits  # short public numbers: 129, 1577 …
    if 8 <= len(digits) <= 10 and not digits.startswith("0") and digits == re.sub(r"\D", "", first.strip()):
        return _restored(digits)
    return None


@lru_cache(maxsize=4096)
def _restored(digits: str) -> str | None:
    """The number `digits` was before its leading 0 was lost, if that number exists."""
    import phonenumbers

    try:
        number = phonenumbers.parse("0" + digits, "KR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_restored(raw: str | None, phone: str | None) -> bool:
    """Whether `phone` was rebuilt from digits that had lost their leading 0 (for the import report).

    >>> phone_restored("25764400", normalize_phone("25764400")), phone_restored("02-576-4400", "02-576-4400")
    (True, False)
    """
    digits = re.sub(r"\D", "", raw or "")
    return bool(phone and phone.startswith("0") and digits and not digits.startswith(("0", "82")))


def name_key(name: str | None) -> str:
    """Name reduced for matching: no spaces, punctuation or bracketed notes."""
    text = clean_text(name) or ""
    text = _PAREN.sub("", text)
    return _NAME_NOISE.sub("", text)


# Bump when address_key changes: stores recompute their keys (schema.refresh_address_keys).
ADDRESS_KEY_VERSION = 2


def address_key(address: str | None) -> str:
    """Address reduced to 시도|시군구|road and building number, without spaces.

    "전라남도 곡성군 곡성읍 곡성로854" and "전남 곡성군 곡성로 854, 보건의료원"
    give the same key: the 시도 is normalised, the 읍면동 and any floor or
    building note dropped. Empty when the address is empty.
    """
    head = (address or "").split(",")[0]
    # "합포로 2, 3층": the floor after the comma is not part of the number
    # (_parse drops commas, so cut here); nor is "군청로 87-16 2층"'s after a space.
    number = _SPACED_NUMBER.search(head)
    if number:
        head = head[:number.end()]
    parsed, rest = _parse(head if any(map(str.isdigit, head)) else address)
    if not rest and not parsed["sido"]:
        return ""
    rest = rest.split("+")[0]
    match = _ROAD_TAIL.match(rest) or _LOT_TAIL.match(rest)
    tail = match.group(1) if match else rest
    if tail[:1].isdigit():  # a lot number needs its 동/리 to mean anything
        tail = f"{parsed['eupmyeondong'] or ''}{tail}"
    return f"{parsed['sido'] or ''}|{parsed['sigungu'] or ''}|{tail}"


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+-]*:")  # no dot: "www.x.kr:8080" is a host, not a scheme


def normalize_homepage(value) -> str | None:
    """A home page as an http(s) URL, else None.

    "www.gnmind.com" gets its missing "http://"; anything that is not a web
    address — ``javascript:``, ``data:``, "없음", text with spaces — gives
    None, so it can never become a link or an HSDS ``url`` that runs script.

    >>> normalize_homepage("www.gnmind.com"), normalize_homepage("javascript:alert(1)")
    ('http://www.gnmind.com', None)
    """
    text = clean_text(value)
    if not text or any(ch.isspace() or ord(ch) < 32 for ch in text):
        return None
    if not _SCHEME.match(text) and "." in text:
        text = "http://" + text.lstrip("/")
    scheme, sep, rest = text.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not sep or scheme.lower() not in ("http", "https") or "." not in host and host.split(":")[0] != "localhost":
        return None
    return f"{scheme.lower()}://{rest}"


@lru_cache(maxsize=1)
def _typos() -> dict[str, str]:
    """wrong -> right, from data/reference/address_typos.csv."""
    with open(REFERENCE_DIR / "address_typos.csv", encoding="utf-8") as fh:
        return {r["wrong"]: r["right"] for r in csv.DictReader(fh)}


def fix_typos(text: str | None) -> str | None:
    """Known misspellings of region names corrected (경상븍도 -> 경상북도, from data/reference)."""
    if not text:
        return text
    for wrong, right in _typos().items():
        if wrong in text:
            text = text.replace(wrong, right)
    return text


def normalize_postcode(value) -> str | None:
    """Five-digit postcode; a spreadsheet that ate the leading zero gets it back.

    >>> normalize_postcode("3047"), normalize_postcode("32,236")
    ('03047', '32236')
    """
    text = clean_text(value)
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    digits = text.replace(",", "").replace(" ", "")
    if digits.isdigit() and len(digits) in (4, 5):  # "32,236": a number format ate the zero too
        return digits.zfill(5)
    return text
