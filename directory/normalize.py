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

__all__ = ["clean_text", "normalize_sido", "parse_address", "normalize_phone", "name_key", "address_key",
           "fix_typos", "normalize_postcode", "normalize_homepage"]

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# A road address ends at the building number: "완동길 10-5" of "완동길 10-5, 보건의료원".
_ROAD_TAIL = re.compile(r"^(.*?(?:로|길)(?:\d+번?길)?\d+(?:-\d+)?)")
_LOT_TAIL = re.compile(r"^(.*?(?:동|리|가)(?:산)?\d+(?:-\d+)?)")
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


def parse_address(text: str | None) -> dict:
    """Split an address into 시도, 시군구 and 읍면동 where they can be recognised.

    Works on the address with its spaces removed, so "대전광역시서구둔산서로100"
    parses like "대전광역시 서구 둔산서로 100". An address without its 시도
    ("강릉시 …") gets the 시도 when the 시군구 name is unique in the country.

    >>> parse_address("충남 서천군 서천읍 사곡길 20-2")["sido"]
    '충청남도'
    """
    return dict(_parse(text)[0])


# An import parses each address two or three times (road, lot, key): keep the
# recent answers. Callers must not change the dict they get back.
@lru_cache(maxsize=8192)
def _parse(text: str | None) -> tuple[dict, str]:
    """parse_address plus the compact remainder after the recognised region."""
    result = {"sido": None, "sigungu": None, "eupmyeondong": None, "region_code": None}
    text = clean_text(text)
    if not text:
        return result, ""
    index = region_index()
    compact = _PAREN.sub("", text).replace(" ", "").replace(",", "")
    sido, rest = _match_prefix(compact, index.sido_aliases)
    region: Region | None = None
    if sido:
        result["sido"] = sido
        region = index.sido_regions.get(sido)
        key, rest2 = _match_key(rest, index.sigungu.get(sido, {}))
        if sido == SEJONG:
            key, rest2 = SEJONG, rest.removeprefix(SEJONG)
        if key:
            region, rest = index.sigungu[sido][key], rest2
        else:
            # "광주시 오포읍" is 경기도 광주시, not 광주광역시: a short 시도 alias
            # followed by no known 시군구 may be the start of a 시군구 name.
            found = _unique_sigungu(compact, index)
            if found:
                region, rest = found
                result["sido"] = region.sido
    else:
        found = _unique_sigungu(compact, index)
        if found:
            region, rest = found
            result["sido"] = region.sido
    if region is not None and region.sigungu:
        result["sigungu"] = region.sigungu
        units = index.eupmyeondong.get((region.sido, region.sigungu), {})
        key, rest2 = _match_key(rest, units)
        if key:
            region, rest = units[key], rest2
            result["eupmyeondong"] = region.eupmyeondong
    if region is not None:
        result["region_code"] = region.code
    return result, rest


def _unique_sigungu(compact: str, index) -> tuple[Region, str] | None:
    """The 시군구 that starts `compact` if its name exists in one 시도 only."""
    key, rest = _match_key(compact, index.sigungu_anywhere)
    candidates = index.sigungu_anywhere.get(key, []) if key else []
    if len({c.sido for c in candidates}) == 1:
        return candidates[0], rest
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
    """Korean phone number with hyphens (02-1234-5678, 031-123-4567, 1588-1234)."""
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
    return None


def name_key(name: str | None) -> str:
    """Name reduced for matching: no spaces, punctuation or bracketed notes."""
    text = clean_text(name) or ""
    text = _PAREN.sub("", text)
    return _NAME_NOISE.sub("", text)


def address_key(address: str | None) -> str:
    """Address reduced to 시도|시군구|road and building number, without spaces.

    "전라남도 곡성군 곡성읍 곡성로854" and "전남 곡성군 곡성로 854, 보건의료원"
    give the same key: the 시도 is normalised, the 읍면동 and any floor or
    building note dropped. Empty when the address is empty.
    """
    head = (address or "").split(",")[0]
    # "합포로 2, 3층": the floor after the comma is not part of the number
    # (_parse drops commas, so cut here).
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
