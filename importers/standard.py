"""Korean public-data "standard data" (표준데이터) agency lists.

Each dataset is recognised by the headers it must have, and maps its columns
onto the store's agency fields. Adding a dataset is adding an entry here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from directory.normalize import clean_text, name_key

from .reading import Table
from .pipeline import finish_import
from .run import ImportRun, RowError

__all__ = ["Dataset", "DATASETS", "detect_dataset", "near_dataset", "import_standard"]


@dataclass(frozen=True)
class Dataset:
    """A known list: its name, required headers, field -> header map, key headers."""

    name: str
    label: str
    required: frozenset
    columns: dict
    key: tuple
    staff_columns: tuple = ()
    hours: tuple = ()
    defaults: dict = field(default_factory=dict)


DATASETS = [
    Dataset(
        name="dementia_centers",
        label="전국치매센터표준데이터",
        required=frozenset({"치매센터명", "치매센터유형", "소재지도로명주소", "위도", "경도"}),
        columns={
            "name": "치매센터명", "type": "치매센터유형", "road_address": "소재지도로명주소",
            "lot_address": "소재지지번주소", "lat": "위도", "lon": "경도", "phone": "운영기관전화번호",
            "operator": "운영기관명", "services": "주요치매관리프로그램소개", "verified_date": "데이터기준일자",
        },
        key=("제공기관코드", "치매센터명", "소재지도로명주소"),
        staff_columns=("의사인원수", "간호사인원수", "사회복지사인원수"),
        defaults={"target_groups": "치매환자·가족, 60세 이상 노인"},
    ),
    Dataset(
        name="health_promotion_centers",
        label="전국건강증진센터표준데이터",
        required=frozenset({"건강증진센터명", "건강증진센터구분", "소재지도로명주소", "위도", "경도"}),
        columns={
            "name": "건강증진센터명", "type": "건강증진센터구분", "road_address": "소재지도로명주소",
            "lot_address": "소재지지번주소", "lat": "위도", "lon": "경도", "phone": "운영기관전화번호",
            "operator": "운영기관명", "services": "건강증진업무내용", "verified_date": "데이터기준일자",
        },
        key=("제공기관코드", "건강증진센터명", "소재지도로명주소"),
        staff_columns=("의사수", "간호사수", "사회복지사수", "영양사수"),
        hours=("운영시작시각", "운영종료시각", "휴무일정보"),
    ),
]


def detect_dataset(headers: list[str]) -> Dataset | None:
    """The standard dataset whose required headers are all present."""
    present = {h.replace(" ", "") for h in headers}
    for dataset in DATASETS:
        if dataset.required <= present:
            return dataset
    return None


def near_dataset(headers: list[str]) -> tuple[Dataset, list[str]] | None:
    """A standard dataset the headers look like but lack required columns of: (dataset, missing).

    "Look like" means a header only that dataset requires is present
    (치매센터명, 건강증진센터구분 …); shared ones such as 위도 prove nothing.
    """
    present = {h.replace(" ", "") for h in headers}
    for dataset in DATASETS:
        others = set().union(*(d.required for d in DATASETS if d is not dataset))
        if (dataset.required - others) & present and not dataset.required <= present:
            missing = [h for h in _ordered(dataset) if h not in present]
            return dataset, missing
    return None


def _ordered(dataset: Dataset) -> list[str]:
    """The dataset's required headers in its column order."""
    order = list(dict.fromkeys(dataset.columns.values()))
    return sorted(dataset.required, key=lambda h: order.index(h) if h in order else len(order))


def import_standard(db, table: Table, dataset: Dataset, *, progress=None, geocoder=None):
    """Import a standard-data table; returns the run's ImportSummary.

    The table's rows are consumed: once they are in the store they are let
    go, so a national list's cells are not held while duplicates are sought.
    """
    index = {h.replace(" ", ""): i for i, h in enumerate(table.headers)}
    with ImportRun(db, source=dataset.name, dataset=dataset.label, file_name=table.path.name,
                   file_hash=table.sha256, encoding=table.encoding) as run:
        run.keep_columns({*dataset.columns.values(), *dataset.key, *dataset.staff_columns, *dataset.hours})
        for number, cells in table.numbered():
            raw = {h: (cells[i] if i < len(cells) else "") for h, i in index.items()}
            fields = {f: raw.get(h) for f, h in dataset.columns.items()}
            for f, value in dataset.defaults.items():
                if not fields.get(f):
                    fields[f] = value
            if dataset.hours:
                start, end, closed = (clean_text(raw.get(h)) for h in dataset.hours)
                if start or end:
                    fields["hours"] = f"{start or ''}–{end or ''}" + (f" (휴무: {closed})" if closed else "")
            broken = table.broken_reason(number)
            if broken:  # cut out of the file by the reader (an unclosed quote): kept as it stands
                run.summary.rows += 1
                run.quarantine(number, None, broken, raw)
                continue
            if len(cells) != len(table.headers):
                run.summary.rows += 1
                reason = f"열 수가 머리글과 다릅니다 ({len(cells)}개, 기대 {len(table.headers)}개)"
                if any("\n" in cell for cell in cells):
                    # An opening quote never closed swallows the lines after it into one cell.
                    reason += " — 닫히지 않은 따옴표(\")가 다음 줄들을 한 칸으로 묶었을 수 있습니다"
                run.quarantine(number, None, reason, raw)
                continue
            try:
                fields["capacity"] = _staff(raw, dataset.staff_columns)
            except RowError as err:
                run.summary.rows += 1
                run.quarantine(number, err.column, str(err), raw)
                continue
            key = "|".join(name_key(raw.get(h)) if h != "제공기관코드" else (raw.get(h) or "").strip()
                           for h in dataset.key)
            run.add_agency(fields, source_key=key, row_number=number, raw=raw)
            if progress:
                progress(1)
        table.rows, table.numbers = [], None
        finish_import(run, geocoder=geocoder)
    return run.summary


def _staff(raw: dict, columns: tuple) -> float | None:
    """Total staff from the count columns, as the agency's capacity; None if none given."""
    total, seen = 0.0, False
    for column in columns:
        value = clean_text(raw.get(column))
        if not value:
            continue
        try:
            total += float(value.replace(",", ""))
        except ValueError:
            raise RowError(column, "staff_not_a_number", value=value) from None
        seen = True
    return total if seen else None
