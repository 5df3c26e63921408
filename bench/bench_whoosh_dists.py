"""Which Whoosh distribution: `whoosh` 2.7.4 or `Whoosh-Reloaded` 2.7.5?

Both are unmaintained forks of the same code. This script builds the index
directory/search.py uses (its own schema, from directory/search_index.py)
over the same synthetic agencies with either distribution and times what the
search does with it:

1. the index build;
2. reading a term's postings into numpy, block by block (the search's path)
   and through Whoosh's public ``all_ids()``;
3. for reference, Whoosh's own query matchers on the same index (the search
   does not use them: a broad word took 0.4-1.7 s at 100,000 agencies);
4. the warnings each distribution raises when its sources are first
   compiled (a fresh install without byte code).

It needs Whoosh, numpy and sqlite-utils, and the project on the path:

    python3 -m venv /tmp/w274 && /tmp/w274/bin/pip install whoosh==2.7.4 numpy sqlite-utils
    python3 -m venv /tmp/w275 && /tmp/w275/bin/pip install Whoosh-Reloaded==2.7.5 numpy sqlite-utils
    PYTHONPATH=. /tmp/w274/bin/python bench/bench_whoosh_dists.py --docs 100000
    PYTHONPATH=. /tmp/w275/bin/python bench/bench_whoosh_dists.py --docs 100000

Run the two builds at the same time on a busy machine, so both see the same
load; then, with ``--index DIR``, let both read the very same index files in
turn (``for i in 1 2 3; do for v in 274 275; do …; done; done``).
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
            "id": i + 1,
            "name": name,
            "chosung": chosung(name),
            "text": " ".join([kind, category, sido, sigungu, dong, f"{rng.randint(1, 300)}번길",
                              *rng.sample(SERVICES, 4)]),
            "targets": rng.choice(TARGETS),
            "type": kind, "category": category, "sido": sido, "sigungu": sigungu,
        }


def schema():
    """The search index's own schema."""
    from directory.search_index import _schema

    return _schema()


def grams(word, size=2):
    """The n-grams of a word, as directory/search.py makes them."""
    if len(word) <= size:
        return [word]
    return [word[i:i + size] for i in range(len(word) - size + 1)]


def queries():
    """Whoosh's own matchers on the same index, by name (for reference only)."""
    from whoosh import query as Q

    def sub(field, word, size=2):
        return Q.And([Q.Term(field, g) for g in grams(word, size)])

    def word(w):
        return Q.Or([sub("name", w), sub("text", w)])

    return {
        "term 센터": Q.Term("name", "센터"),
        "or of 2 fields 센터": word("센터"),
        "term 치매": Q.Term("name", "치매"),
        "and of 2-grams 치매안심센터": sub("name", "치매안심센터"),
        "two words 송파구 치매": Q.And([word("송파구"), word("치매")]),
        "two words 서울 경로당": Q.And([word("서울"), word("경로당")]),
        "initials ㅊㅁㅇㅅㅅㅌ": sub("chosung", "ㅊㅁㅇㅅㅅㅌ", 3),
        "prefix 술": Q.Or([Q.Prefix("name", "술"), Q.Prefix("text", "술")]),
        "type term 행정복지센터": Q.Term("type", "행정복지센터"),
    }


POSTING_TERMS = [("name", "경로"), ("text", "경로"), ("name", "센터"), ("text", "서울"), ("name", "치매"),
                 ("type", "경로당"), ("type", "행정복지센터"), ("chosung", "ㅅㅌ"), ("text", "상담"),
                 ("name", "복지")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--index", help="Keep the index in this folder; if it exists, reuse it (no build), "
                                        "so both distributions can read the very same files in turn.")
    args = parser.parse_args()

    import numpy as np
    import whoosh
    from whoosh import index

    from directory.search_index import _leaf_ids

    dist = "whoosh" if _has("whoosh") else "Whoosh-Reloaded"
    print(f"distribution: {dist} {metadata.version(dist)} on Python {sys.version.split()[0]}")
    print(f"warnings when first compiled: {compile_warnings(Path(whoosh.__file__).parent)}")

    tmp = Path(args.index) if args.index else Path(tempfile.mkdtemp(prefix="whoosh-dist-"))
    try:
        if args.index and tmp.exists():
            ix = index.open_dir(str(tmp))
            print(f"index reused: {ix.doc_count()} docs in {tmp}")
        else:
            tmp.mkdir(parents=True, exist_ok=True)
            start, cpu = time.perf_counter(), time.process_time()
            ix = index.create_in(str(tmp), schema())
            writer = ix.writer(limitmb=512)
            for doc in documents(args.docs):
                writer.add_document(**doc)
            writer.commit()
            print(f"index build: {args.docs} docs in {time.perf_counter() - start:.1f} s "
                  f"(CPU {time.process_time() - cpu:.1f} s)")

        with ix.reader() as reader:
            (leaf, _), = reader.leaf_readers()
            for label, read in (("block reads (search's path)", _leaf_ids),
                                ("public all_ids()", lambda m: np.fromiter(m.all_ids(), dtype=np.int64))):
                times, total = [], 0
                for _ in range(5):
                    t0 = time.perf_counter()
                    total = sum(len(read(leaf.postings(f, t))) for f, t in POSTING_TERMS if (f, t) in leaf)
                    times.append((time.perf_counter() - t0) * 1000)
                print(f"postings of {len(POSTING_TERMS)} terms ({total} ids), {label}: "
                      f"median {statistics.median(times):.1f} ms")

        with ix.searcher() as searcher:
            print(f"{'whoosh matchers (reference)':34} {'median':>8} {'p95':>8} {'hits':>7}   (ms; limit 20)")
            for name, q in queries().items():
                times, hits = [], 0
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    hits = len(searcher.search(q, limit=20))
                    times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                p95 = times[max(int(len(times) * 0.95) - 1, 0)]
                print(f"{name:34} {statistics.median(times):8.2f} {p95:8.2f} {hits:7}")
    finally:
        if not args.index:
            shutil.rmtree(tmp, ignore_errors=True)


def compile_warnings(package) -> str:
    """The warnings compiling the package's sources raises (what a fresh install without byte code shows).

    Invalid escape sequences are DeprecationWarnings up to Python 3.11 and
    SyntaxWarnings from 3.12; both would fail a test run with warnings as errors.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for path in sorted(package.rglob("*.py")):
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
    kinds = {}
    for w in caught:
        kinds[w.category.__name__] = kinds.get(w.category.__name__, 0) + 1
    where = sorted({f"{Path(w.filename).name}:{w.lineno}" for w in caught})
    return ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + (f" ({', '.join(where)})" if where else "") \
        if caught else "none"


def _has(dist):
    try:
        metadata.version(dist)
        return True
    except metadata.PackageNotFoundError:
        return False


if __name__ == "__main__":
    main()
