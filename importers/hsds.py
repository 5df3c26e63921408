"""Open Referral HSDS 3.0: the directory as a tabular data package, and back.

`export_hsds(db, directory)` writes one CSV per HSDS table (organization,
service, location, service_at_location, address, phone, schedule, taxonomy,
taxonomy_term, attribute) and a `datapackage.json` describing them (Frictionless
Tabular Data Package). `import_hsds(db, path)` reads such a package.

How our agency maps onto HSDS:

- each agency is a **service** (name, description = services, url = home page,
  eligibility_description = target groups, assured_date = verified date) at
  one **location** (latitude/longitude; external_identifier = the 10-digit
  administrative code) with one physical **address** (address_1 = road
  address, address_2 = lot address, region = 읍면동, city = 시군구,
  state_province = 시도, country KR) and a **phone**;
- the **organization** is the operator (운영기관) when the list names one, so
  one hospital running three centres is one organization; otherwise the
  agency stands for itself (its id is derived from the service id, which is
  how the importer tells the two apart);
- opening hours become a free-text **schedule** description;
- the study's 7 categories and the agency types are one **taxonomy** of two
  levels; each service links to its type (or category) term through an
  **attribute**, and further attributes carry what HSDS has no column for:
  how the location was placed (`placement`: exact … sigungu) and the capacity.

HSDS marks city, state_province and postal_code as required; the lists we
import often lack a postcode, and this package leaves such a cell empty
rather than invent one (the schema in datapackage.json says so).
"""
from __future__ import annotations

import csv
import hashlib
import json
import uuid
from pathlib import Path

from directory.normalize import normalize_homepage

from directory.vocabulary import DECLARABLE

from .pipeline import finish_import
from .reading import ImportFormatError, without_nul
from .run import ImportRun

__all__ = ["HSDS_VERSION", "TABLES", "HSDSError", "descriptor", "export_hsds", "read_package", "import_hsds",
           "self_organization_id"]

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("6f1c2b0e-5d3a-4c5e-9a57-79656f6e6779")  # fixed: ids are stable across exports
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:yeongye-agency-types"))
PLACEMENT_TERMS = DECLARABLE

# table -> [(field, type, required)]; field names and types follow HSDS 3.0.
S, N, R = "string", "number", True
TABLES: dict[str, list[tuple[str, str, bool]]] = {
    "organization": [
        ("id", S, R), ("name", S, R), ("alternate_name", S, False), ("description", S, R), ("email", S, False),
        ("website", S, False), ("tax_status", S, False), ("tax_id", S, False), ("year_incorporated", N, False),
        ("legal_status", S, False), ("logo", S, False), ("uri", S, False), ("parent_organization_id", S, False),
    ],
    "service": [
        ("id", S, R), ("organization_id", S, R), ("program_id", S, False), ("name", S, R),
        ("alternate_name", S, False), ("description", S, False), ("url", S, False), ("email", S, False),
        ("status", S, R), ("interpretation_services", S, False), ("application_process", S, False),
        ("fees_description", S, False), ("wait_time", S, False), ("fees", S, False), ("accreditations", S, False),
        ("eligibility_description", S, False), ("minimum_age", N, False), ("maximum_age", N, False),
        ("assured_date", S, False), ("assurer_email", S, False), ("licenses", S, False), ("alert", S, False),
        ("last_modified", S, False),
    ],
    "location": [
        ("id", S, R), ("location_type", S, R), ("url", S, False), ("organization_id", S, False), ("name", S, False),
        ("alternate_name", S, False), ("description", S, False), ("transportation", S, False),
        ("latitude", N, False), ("longitude", N, False), ("external_identifier", S, False),
        ("external_identifier_type", S, False),
    ],
    "service_at_location": [("id", S, R), ("service_id", S, R), ("location_id", S, R), ("description", S, False)],
    "address": [
        ("id", S, R), ("location_id", S, False), ("attention", S, False), ("address_1", S, R),
        ("address_2", S, False), ("city", S, False), ("region", S, False), ("state_province", S, False),
        ("postal_code", S, False), ("country", S, R), ("address_type", S, R),
    ],
    "phone": [
        ("id", S, R), ("location_id", S, False), ("service_id", S, False), ("organization_id", S, False),
        ("contact_id", S, False), ("service_at_location_id", S, False), ("number", S, R),
        ("extension", N, False), ("type", S, False), ("description", S, False),
    ],
    "schedule": [
        ("id", S, R), ("service_id", S, False), ("location_id", S, False), ("service_at_location_id", S, False),
        ("valid_from", S, False), ("valid_to", S, False), ("dtstart", S, False), ("timezone", N, False),
        ("until", S, False), ("count", N, False), ("wkst", S, False), ("freq", S, False), ("interval", N, False),
        ("byday", S, False), ("byweekno", S, False), ("bymonthday", S, False), ("byyearday", S, False),
        ("description", S, False), ("opens_at", S, False), ("closes_at", S, False), ("schedule_link", S, False),
        ("attending_type", S, False), ("notes", S, False),
    ],
    "taxonomy": [("id", S, R), ("name", S, R), ("description", S, R), ("uri", S, False), ("version", S, False)],
    "taxonomy_term": [
        ("id", S, R), ("code", S, False), ("name", S, R), ("description", S, R), ("parent_id", S, False),
        ("taxonomy", S, False), ("language", S, False), ("taxonomy_id", S, False), ("term_uri", S, False),
    ],
    "attribute": [
        ("id", S, R), ("link_id", S, R), ("taxonomy_term_id", S, R), ("link_type", S, False),
        ("link_entity", S, R), ("value", S, False), ("label", S, False),
    ],
}
FOREIGN_KEYS = {
    "service": [("organization_id", "organization")],
    "location": [("organization_id", "organization")],
    "service_at_location": [("service_id", "service"), ("location_id", "location")],
    "address": [("location_id", "location")],
    "phone": [("service_id", "service"), ("location_id", "location"), ("organization_id", "organization")],
    "schedule": [("service_id", "service")],
    "taxonomy_term": [("taxonomy_id", "taxonomy"), ("parent_id", "taxonomy_term")],
    "attribute": [("taxonomy_term_id", "taxonomy_term")],
}
ENUMS = {("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
         ("location", "location_type"): ["physical", "postal", "virtual"],
         ("address", "address_type"): ["physical", "postal", "virtual"]}


class HSDSError(ImportFormatError):
    """The package is not an HSDS tabular data package we can read."""

    code = "hsds_error"


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def self_organization_id(service_id: str) -> str:
    """The organization id of an agency that stands for itself (no operator named)."""
    return _id("org-of", service_id)


def descriptor(name: str = "yeongye-directory") -> dict:
    """The datapackage.json content for the tables TABLES describes."""
    resources = []
    for table, fields in TABLES.items():
        schema_fields = []
        for field, kind, required in fields:
            entry = {"name": field, "type": kind}
            constraints = {}
            if required:
                constraints["required"] = True
            if (table, field) in ENUMS:
                constraints["enum"] = ENUMS[(table, field)]
            if constraints:
                entry["constraints"] = constraints
            schema_fields.append(entry)
        schema = {"fields": schema_fields, "primaryKey": ["id"]}
        keys = [{"fields": [f], "reference": {"resource": "" if ref == table else ref, "fields": ["id"]}}
                for f, ref in FOREIGN_KEYS.get(table, [])]
        if keys:
            schema["foreignKeys"] = keys
        resources.append({"name": table, "path": f"{table}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema})
    return {"name": name, "title": "연계 자원 목록 (Open Referral HSDS 3.0)", "profile": "tabular-data-package",
            "version": HSDS_VERSION, "licenses": [{"name": "KOGL-Type1", "title": "공공누리 제1유형 (출처표시)"}],
            "resources": resources}


# --- export ---------------------------------------------------------------------


def export_hsds(db, directory, *, where: str = "1", params=()) -> dict:
    """Write the directory's agencies as an HSDS 3.0 tabular data package; returns row counts."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    conn = getattr(db, "conn", db)
    rows = {table: [] for table in TABLES}
    terms = _taxonomy_rows(conn, rows)
    cur = conn.execute(f"SELECT * FROM agencies WHERE {where} ORDER BY id", list(params))
    columns = [c[0] for c in cur.description]
    organizations: dict[str, dict] = {}
    for values in cur.fetchall():
        agency = dict(zip(columns, values))
        # Only http(s): a javascript: page stored before it was refused must not reach another system.
        agency["homepage"] = normalize_homepage(agency["homepage"])
        key = f"{agency['source']}|{agency['source_key']}" if agency["source"] else f"agency|{agency['id']}"
        service_id = _id("service", key)
        location_id = _id("location", service_id)
        if agency["operator"]:
            org_id = _id("operator", agency["operator"])
            organizations.setdefault(org_id, {"id": org_id, "name": agency["operator"],
                                              "description": f"운영기관: {agency['operator']}"})
        else:
            org_id = self_organization_id(service_id)
            organizations[org_id] = {"id": org_id, "name": agency["name"], "website": agency["homepage"],
                                     "description": agency["services"] or _describe(agency)}
        rows["service"].append({
            "id": service_id, "organization_id": org_id, "name": agency["name"],
            "description": agency["services"], "url": agency["homepage"], "status": "active",
            "eligibility_description": agency["target_groups"], "assured_date": agency["verified_date"],
            "last_modified": agency["updated_at"],
        })
        rows["location"].append({
            "id": location_id, "location_type": "physical", "organization_id": org_id, "name": agency["name"],
            "description": _placement_note(agency["placement"]),
            "latitude": agency["lat"], "longitude": agency["lon"],
            "external_identifier": agency["region_code"],
            "external_identifier_type": "KOSTAT 행정구역코드" if agency["region_code"] else None,
        })
        rows["service_at_location"].append({"id": _id("sal", service_id), "service_id": service_id,
                                            "location_id": location_id})
        if agency["road_address"] or agency["lot_address"]:
            rows["address"].append({
                "id": _id("address", service_id), "location_id": location_id,
                "address_1": agency["road_address"] or agency["lot_address"],
                "address_2": agency["lot_address"] if agency["road_address"] else None,
                "city": agency["sigungu"], "region": agency["eupmyeondong"], "state_province": agency["sido"],
                "postal_code": agency["postcode"], "country": "KR", "address_type": "physical",
            })
        if agency["lot_address"] and not agency["road_address"]:
            # address_1 holds a 지번 address: say so, or it comes back as a road address.
            rows["attribute"].append({"id": _id("attr-lot", service_id), "link_id": _id("address", service_id),
                                      "taxonomy_term_id": terms[("field", "lot_address")], "link_type": "lot_address",
                                      "link_entity": "address", "value": "지번"})
        if agency["phone"] or agency["phone_raw"]:
            rows["phone"].append({"id": _id("phone", service_id), "service_id": service_id,
                                  "location_id": location_id, "number": agency["phone"] or agency["phone_raw"],
                                  "type": "voice"})
        if agency["hours"]:
            rows["schedule"].append({"id": _id("schedule", service_id), "service_id": service_id,
                                     "description": agency["hours"]})
        term = terms.get(("type", agency["type"])) or terms.get(("category", agency["category"]))
        if term:
            rows["attribute"].append({"id": _id("attr-type", service_id), "link_id": service_id,
                                      "taxonomy_term_id": term, "link_type": "agency_type",
                                      "link_entity": "service"})
        if agency["placement"] in PLACEMENT_TERMS:
            rows["attribute"].append({"id": _id("attr-placement", service_id), "link_id": location_id,
                                      "taxonomy_term_id": terms[("placement", agency["placement"])],
                                      "link_type": "placement", "link_entity": "location",
                                      "value": agency["placement"]})
        if agency["capacity"] is not None:
            rows["attribute"].append({"id": _id("attr-capacity", service_id), "link_id": service_id,
                                      "taxonomy_term_id": terms[("field", "capacity")], "link_type": "capacity",
                                      "link_entity": "service", "value": _number(agency["capacity"])})
    rows["organization"] = list(organizations.values())
    for table, fields in TABLES.items():
        with open(out / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, [f for f, _, _ in fields], extrasaction="ignore")
            writer.writeheader()
            for row in rows[table]:
                writer.writerow({k: _cell(v) for k, v in row.items()})
    (out / "datapackage.json").write_text(json.dumps(descriptor(), ensure_ascii=False, indent=2), encoding="utf-8")
    return {table: len(rows[table]) for table in TABLES}


def _taxonomy_rows(conn, rows) -> dict:
    """Fill taxonomy and taxonomy_term rows; returns (kind, name) -> term id."""
    rows["taxonomy"].append({"id": TAXONOMY_ID, "name": "연계 기관 분류",
                             "description": "2024 영구임대 주거복지사 연계 연구의 7개 범주와 기관 유형 (yeongye)",
                             "version": "1"})
    terms = {}
    for code, name, name_en in conn.execute("SELECT code, name, name_en FROM categories ORDER BY ord"):
        term = _id("category", name)
        terms[("category", name)] = term
        rows["taxonomy_term"].append({"id": term, "code": code, "name": name, "description": name_en or name,
                                      "taxonomy": "yeongye", "language": "ko", "taxonomy_id": TAXONOMY_ID})
    for name, category in conn.execute("SELECT name, category FROM agency_types ORDER BY ord"):
        term = _id("type", name)
        terms[("type", name)] = term
        rows["taxonomy_term"].append({"id": term, "code": f"type:{name}", "name": name,
                                      "description": f"{category} > {name}", "parent_id": terms.get(("category", category)),
                                      "taxonomy": "yeongye", "language": "ko", "taxonomy_id": TAXONOMY_ID})
    notes = {"exact": "목록에 좌표가 있음", "matched": "같은 주소·기관의 좌표", "geocoded": "지오코더 결과",
             "eupmyeondong": "읍면동 중심점 (근사)", "sigungu": "시군구 중심점 (근사)"}
    for placement in PLACEMENT_TERMS:
        term = _id("placement", placement)
        terms[("placement", placement)] = term
        rows["taxonomy_term"].append({"id": term, "code": f"placement:{placement}", "name": placement,
                                      "description": notes[placement], "taxonomy": "yeongye",
                                      "language": "ko", "taxonomy_id": TAXONOMY_ID})
    for field, description in (("capacity", "정원 또는 종사자 수"), ("lot_address", "지번 주소")):
        term = _id("field", field)
        terms[("field", field)] = term
        rows["taxonomy_term"].append({"id": term, "code": f"field:{field}", "name": field,
                                      "description": description, "taxonomy": "yeongye", "language": "ko",
                                      "taxonomy_id": TAXONOMY_ID})
    return terms


def _describe(agency: dict) -> str:
    return " · ".join(x for x in (agency["category"], agency["type"]) if x) or agency["name"]


def _placement_note(placement: str) -> str | None:
    return {"eupmyeondong": "근사 위치: 읍면동 중심점", "sigungu": "근사 위치: 시군구 중심점"}.get(placement)


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value


# --- import ---------------------------------------------------------------------


def read_package(path) -> dict[str, list[dict]]:
    """The package's tables as lists of row dicts, by resource name."""
    path = Path(path)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HSDSError("hsds_unreadable", name=path.name, detail=str(exc)) from exc
    resources = {r.get("name"): r for r in meta.get("resources", []) if isinstance(r, dict)}
    missing = {"service", "organization"} - set(resources)
    if missing:
        raise HSDSError("not_hsds", name=path.name, tables=", ".join(sorted(missing)))
    tables = {}
    for name, resource in resources.items():
        file = path.parent / resource.get("path", f"{name}.csv")
        if not file.exists():
            tables[name] = []
            continue
        with open(file, encoding="utf-8-sig", newline="") as fh:
            tables[name] = list(csv.DictReader(without_nul(line) for line in fh))
    return tables


def import_hsds(db, path, *, progress=None):
    """Import an HSDS 3.0 tabular package (its datapackage.json); returns the ImportSummary."""
    path = Path(path)
    tables = read_package(path)
    data = b"".join(p.read_bytes() for p in sorted(path.parent.glob("*.csv")))
    by = lambda table, key: {r.get(key): r for r in tables.get(table, []) if r.get(key)}  # noqa: E731
    organizations = by("organization", "id")
    locations = by("location", "id")
    at = {}
    for row in tables.get("service_at_location", []):
        at.setdefault(row.get("service_id"), row.get("location_id"))
    addresses = by("address", "location_id")
    phones_by_service, phones_by_location = by("phone", "service_id"), by("phone", "location_id")
    schedules = by("schedule", "service_id")
    terms = by("taxonomy_term", "id")
    attributes: dict[str, list[dict]] = {}
    for row in tables.get("attribute", []):
        attributes.setdefault(row.get("link_id"), []).append(row)
    source = f"hsds:{json.loads(path.read_text(encoding='utf-8')).get('name') or path.parent.name}"
    with ImportRun(db, source=source, dataset="Open Referral HSDS 3.0", file_name=path.name,
                   file_hash=hashlib.sha256(data).hexdigest(), encoding="utf-8") as run:
        for number, service in enumerate(tables["service"], start=2):
            service_id = service.get("id") or ""
            location = locations.get(at.get(service_id), {})
            address = addresses.get(location.get("id"), {})
            phone = phones_by_service.get(service_id) or phones_by_location.get(location.get("id")) or {}
            org = organizations.get(service.get("organization_id"), {})
            fields = {
                "name": service.get("name"), "services": service.get("description"),
                "homepage": service.get("url") or (org.get("website") if org.get("id") == self_organization_id(service_id) else None),
                "target_groups": service.get("eligibility_description"),
                "verified_date": service.get("assured_date"),
                "operator": None if org.get("id") == self_organization_id(service_id) else org.get("name"),
                "lat": location.get("latitude"), "lon": location.get("longitude"),
                "road_address": address.get("address_1"), "lot_address": address.get("address_2"),
                "sido": address.get("state_province"), "sigungu": address.get("city"),
                "postcode": address.get("postal_code"), "phone": phone.get("number"),
                "eupmyeondong": address.get("region"), "region_code": location.get("external_identifier"),
                "hours": (schedules.get(service_id) or {}).get("description"),
            }
            if any(a.get("link_type") == "lot_address" for a in attributes.get(address.get("id"), [])):
                fields["road_address"], fields["lot_address"] = None, address.get("address_1")
            for attribute in attributes.get(service_id, []) + attributes.get(location.get("id"), []):
                term = terms.get(attribute.get("taxonomy_term_id"), {})
                kind = attribute.get("link_type")
                if kind == "agency_type":
                    code = term.get("code") or ""
                    if code.startswith("type:"):
                        fields["type"] = term.get("name")
                    else:
                        fields["category"] = term.get("name")
                elif kind == "placement":
                    fields["_placement"] = attribute.get("value") or term.get("name")
                elif kind == "capacity":
                    fields["capacity"] = _float(attribute.get("value"))
            raw = {"service": service, "location": location, "address": address}
            run.add_agency(fields, source_key=service_id or f"row{number}", row_number=number,
                           raw={k: {f: v for f, v in row.items() if v} for k, row in raw.items()})
            if progress:
                progress(1)
        finish_import(run)
    return run.summary


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
