"""Which Whoosh distribution: `whoosh` 2.7.4 or `Whoosh-Reloaded` 2.7.5?

Both are unmaintained forks of the same code. This script builds the same
n-gram index (the shape directory/search.py uses: compact names as 2–3-grams,
initial consonants, address/services words as 2–3-grams, ID filter fields)
over the same synthetic agencies and times the query shapes the search
builds. It needs only Whoosh and the standard library, so it runs in a bare
venv with either distribution:

    python3 -m venv /tmp/w274 && /tmp/w274/bin/pip install whoosh==2.7.4
    python3 -m venv /tmp/w275 && /tmp/w275/bin/pip install Whoosh-Reloaded==2.7.5
    /tmp/w274/bin/python bench/bench_whoosh_dists.py --docs 100000
    /tmp/w275/bin/python bench/bench_whoosh_dists.py --docs 100000

It prints the distribution, the build time and, per query shape, the median
and p95 of 30 runs (ms) and the number of hits.
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

SERVICES = ("상담 사례관리 방문 검진 교육 프로그램 일자리 돌봄 치료비 지원 중독 자살예방 "
            "재활 주거 긴급지원 후원 급식 여가 취업 건강 인지 예방 가족 모임").split()
TARGETS = ("노인", "장애인", "아동", "청소년", "정신질환자", "치매환자·가족", "수급자", "구직자")
# Rough national proportions: neighbourhood facilities by the thousand,
# specialised centres by the hundred.
WEIGHTS = {"경로당": 60, "행정복지센터": 10, "어린이집": 15, "사회복지관": 2, "치매안심센터": 1,
           "정신건강복지센터": 1, "보건소": 1, "지역자활센터": 1, "시니어클럽": 1}

CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"


def chosung(text):
    """Initial consonants of Hangul syllables; other characters dropped."""
    return "".join(CHO[(ord(c) - 0xAC00) // 588] for c in text if "가" <= c <= "힣")


def regions():
    """(시도, 시군구, 읍면동) triples from the bundled administrative centroids."""
    out = []
    with open(DATA / "public" / "boundaries" / "admin_centroids_utmk.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            parts = row["ADMNM"].split()
            if len(parts) >= 3:
                out.append((parts[0], " ".join(parts[1:-1]), parts[-1]))
    return out


def types():
    """Agency types from the bundled taxonomy."""
    with open(DATA / "reference" / "agency_types.csv", encoding="utf-8") as fh:
        return [(r["type"], r["category"]) for r in csv.DictReader(fh)]


def documents(n, seed=1):
    """n synthetic agency documents."""
    rng = random.Random(seed)
    regs, kinds = regions(), types()
    weights = [WEIGHTS.get(t, 0.3) for t, _ in kinds]
    for i in range(n):
        sido, sigungu, dong = rng.choice(regs)
        kind, category = rng.choices(kinds, weights)[0]
        short = sigungu.split()[-1]
        name = f"{dong}{kind}" if kind in ("경로당", "행정복지센터", "어린이집") else f"{short}{kind}"
        if rng.random() < 0.3:
            name = f"{rng.choice(['새', '푸른', '행복', '사랑', '희망'])}{name}"
        yield {
            "id": str(i + 1),
            "name": name,
            "chosung": chosung(name),
            "text": " ".join([kind, category, sido, sigungu, dong, f"{rng.randint(1, 300)}번길",
                              *rng.sample(SERVICES, 4), rng.choice(TARGETS)]),
            "type": kind, "category": category, "sido": sido, "sigungu": sigungu,
        }


def schema():
    from whoosh import analysis, fields

    compact = analysis.NgramAnalyzer(2, 3)
    words = analysis.RegexTokenizer(r"[^\s,·()/]+") | analysis.LowercaseFilter() | analysis.NgramFilter(2, 3)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        name=fields.TEXT(analyzer=compact, phrase=False, field_boost=3.0),
        name_pos=fields.NGRAM(2, 3, phrase=True),
        chosung=fields.TEXT(analyzer=compact, phrase=False),
        text=fields.TEXT(analyzer=words, phrase=False),
        type=fields.ID(), category=fields.ID(), sido=fields.ID(), sigungu=fields.ID(),
    )


def grams(word):
    """The 3-grams of a word (its 2-gram when it has two characters)."""
    if len(word) <= 3:
        return [word]
    return [word[i:i + 3] for i in range(len(word) - 2)]


def queries(ix):
    """The query shapes directory/search.py builds, by name."""
    from whoosh import query as Q
    from whoosh.qparser import QueryParser

    def sub(field, word):
        return Q.And([Q.Term(field, g) for g in grams(word)])

    def word(w):
        return Q.Or([sub("name", w), sub("text", w)])

    typo = Q.Or([Q.And([sub("name", "치매안"), sub("name", "센터")]),
                 Q.And([sub("name", "치매"), sub("name", "신센터")])])
    return {
        "broad term 센터": Q.Term("name", "센터"),
        "broad 2 fields 센터": word("센터"),
        "narrow term 치매": Q.Term("name", "치매"),
        "and-of-3grams 치매안심센터": sub("name", "치매안심센터"),
        "two words 송파구 치매": Q.And([word("송파구"), word("치매")]),
        "two words 서울 경로당": Q.And([word("서울"), word("경로당")]),
        "chosung ㅊㅁㅇㅅㅅㅌ": sub("chosung", "ㅊㅁㅇㅅㅅㅌ"),
        "prefix 1-syllable 술": Q.Or([Q.Prefix("name", "술"), Q.Prefix("text", "술")]),
        "typo variants 치매안신센터": typo,
        "type term 행정복지센터": Q.Term("type", "행정복지센터"),
        "phrase on NGRAM 치매안심센터": Q.Phrase("name_pos", grams("치매안심센터")),
        "qparser NGRAM 치매안심센터": QueryParser("name_pos", ix.schema).parse("치매안심센터"),
        "qparser NGRAM 송파구 치매": QueryParser("name_pos", ix.schema).parse("송파구 치매"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import whoosh  # noqa: F401
        from whoosh import index
        from whoosh.query import Term
    dist = "whoosh" if _has("whoosh") else "Whoosh-Reloaded"
    version = metadata.version(dist)
    print(f"distribution: {dist} {version} on Python {sys.version.split()[0]}")
    print(f"warnings at import (byte code cached): {len(caught)}")
    print(f"SyntaxWarnings when first compiled: {compile_warnings(Path(whoosh.__file__).parent)}")

    tmp = Path(tempfile.mkdtemp(prefix="whoosh-dist-"))
    try:
        start = time.perf_counter()
        ix = index.create_in(str(tmp), schema())
        writer = ix.writer(limitmb=256, procs=1)
        for doc in documents(args.docs):
            writer.add_document(name_pos=doc["name"], **doc)
        writer.commit()
        print(f"index build: {args.docs} docs in {time.perf_counter() - start:.1f} s")

        with ix.searcher() as searcher:
            geo = set(range(0, searcher.doc_count_all(), 97))  # a small candidate set, as a radius gives
            print(f"{'query':34} {'median':>8} {'p95':>8} {'hits':>7}   (ms; limit 20)")
            for name, q in queries(ix).items():
                for label, flt in ((name, None), (name + " +geo filter", geo)):
                    times, hits = [], 0
                    for _ in range(args.runs):
                        t0 = time.perf_counter()
                        results = searcher.search(q, limit=20, filter=flt)
                        hits = len(results)
                        times.append((time.perf_counter() - t0) * 1000)
                    times.sort()
                    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
                    print(f"{label:34} {statistics.median(times):8.2f} {p95:8.2f} {hits:7}")
            _ = Term  # imported with the rest so import warnings are counted once
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compile_warnings(package):
    """How many SyntaxWarnings compiling the package's sources raises (what a fresh install shows)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for path in package.rglob("*.py"):
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
    return sum(issubclass(w.category, SyntaxWarning) for w in caught)


def _has(dist):
    try:
        metadata.version(dist)
        return True
    except metadata.PackageNotFoundError:
        return False


if __name__ == "__main__":
    main()
