"""Open Referral HSDS 3.0: the directory as a tabular data package, and back.

`export_hsds(db, directory)` writes every table of the HSDS 3.0.0 tabular
package under the specification's file names (`organizations.csv`,
`services.csv`, … — header only where we have nothing) and a
`datapackage.json` with the specification's fields, types, formats,
constraints and keys; the package validates against the specification's
own descriptor (tests/test_hsds.py). `import_hsds(db, path)` reads such a
package (and the packages earlier versions wrote).

How our agency maps onto HSDS:

- each agency is a **service** (name, description = services, url = home page,
  eligibility_description = target groups, assured_date = verified date) at
  one **location** (latitude/longitude; external_identifier = the 10-digit
  administrative code) with one physical **address** (address_1 = road
  address, address_2 = lot address, region = 읍면동, city = 시군구 — 세종's is
  the 시도 —, state_province = 시도, country KR) and a **phone**;
- the **organization** is the operator (운영기관) when the list names one, so
  one hospital running three centres is one organization; otherwise the
  agency stands for itself (its id is derived from the service id, which is
  how the importer tells the two apart);
- opening hours become a free-text **schedule** description;
- the study's 7 categories and the agency types are one **taxonomy** of two
  levels; each service links to its type (or category) term through an
  **attribute**, and further attributes carry what HSDS has no column for:
  how the location was placed (`placement`: exact … sigungu) and the capacity.

HSDS requires city, state_province and postal_code in an address. Most
public lists give no postcode: one is taken from another agency at the same
road address and building number (a postcode belongs to a building), never
guessed; an address still missing one is left out of `address`, as the
standard allows (an address row is optional), and its location keeps it as
text (description) and as attributes (road_address, sido, …) that the
import reads back. `HSDSExport` counts them.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from directory.normalize import address_key, normalize_homepage
from directory.regions import SEJONG
from directory.vocabulary import DECLARABLE

from .pipeline import finish_import
from .reading import ImportFormatError, without_nul
from .run import ImportRun

__all__ = ["HSDS_VERSION", "TABLES", "PATHS", "ADDRESS_FIELDS", "HSDSError", "HSDSExport", "descriptor",
           "export_hsds", "read_package", "import_hsds", "self_organization_id"]

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("6f1c2b0e-5d3a-4c5e-9a57-79656f6e6779")  # fixed: ids are stable across exports
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:yeongye-agency-types"))
PLACEMENT_TERMS = DECLARABLE

# Every table of the HSDS 3.0.0 tabular package, its fields in the specification's order, their types and
# whether they are required (openreferral/specification datapackage.json, 3.0.0). Tables we have nothing
# for are written with their header only, so a reader of the standard finds every file it expects.
S, N, D, DT, T, R, O = "string", "number", "date", "datetime", "time", True, False
TABLES: dict[str, list[tuple[str, str, bool]]] = {
    "organization": [("id", S, R), ("name", S, R), ("alternate_name", S, O), ("description", S, R), ("email", S, O),
                     ("website", S, O), ("tax_status", S, O), ("tax_id", S, O), ("year_incorporated", N, O),
                     ("legal_status", S, O), ("logo", S, O), ("uri", S, O), ("parent_organization_id", S, O)],
    "program": [("id", S, R), ("organization_id", S, R), ("name", S, R), ("alternate_name", S, O),
                ("description", S, R)],
    "service": [("id", S, R), ("organization_id", S, R), ("program_id", S, O), ("name", S, R), ("alternate_name", S, O),
                ("description", S, O), ("url", S, O), ("email", S, O), ("status", S, R),
                ("interpretation_services", S, O), ("application_process", S, O), ("fees_description", S, O),
                ("wait_time", S, O), ("fees", S, O), ("accreditations", S, O), ("eligibility_description", S, O),
                ("minimum_age", N, O), ("maximum_age", N, O), ("assured_date", D, O), ("assurer_email", S, O),
                ("licenses", S, O), ("alert", S, O), ("last_modified", DT, O)],
    "attribute": [("id", S, R), ("link_id", S, R), ("taxonomy_term_id", S, R), ("link_type", S, O),
                  ("link_entity", S, R), ("value", S, O)],
    "service_at_location": [("id", S, R), ("service_id", S, R), ("location_id", S, R), ("description", S, O)],
    "location": [("id", S, R), ("location_type", S, R), ("url", S, O), ("organization_id", S, O), ("name", S, O),
                 ("alternate_name", S, O), ("description", S, O), ("transportation", S, O), ("latitude", N, O),
                 ("longitude", N, O), ("external_identifier", S, O), ("external_identifier_type", S, O)],
    "phone": [("id", S, R), ("location_id", S, O), ("service_id", S, O), ("organization_id", S, O),
              ("contact_id", S, O), ("service_at_location_id", S, O), ("number", S, R), ("extension", N, O),
              ("type", S, O), ("description", S, O)],
    "contact": [("id", S, R), ("organization_id", S, O), ("service_id", S, O), ("service_at_location_id", S, O),
                ("location_id", S, O), ("name", S, O), ("title", S, O), ("department", S, O), ("email", S, O)],
    "address": [("id", S, R), ("location_id", S, O), ("attention", S, O), ("address_1", S, R), ("address_2", S, O),
                ("city", S, R), ("region", S, O), ("state_province", S, R), ("postal_code", S, R),
                ("country", S, R), ("address_type", S, R)],
    "schedule": [("id", S, R), ("service_id", S, O), ("location_id", S, O), ("service_at_location_id", S, O),
                 ("valid_from", D, O), ("valid_to", D, O), ("dtstart", D, O), ("timezone", N, O), ("until", D, O),
                 ("count", N, O), ("wkst", S, O), ("freq", S, O), ("interval", N, O), ("byday", S, O),
                 ("byweekno", S, O), ("bymonthday", S, O), ("byyearday", S, O), ("description", S, O),
                 ("opens_at", T, O), ("closes_at", T, O), ("schedule_link", S, O), ("attending_type", S, O),
                 ("notes", S, O)],
    "funding": [("id", S, R), ("organization_id", S, O), ("service_id", S, O), ("source", S, O)],
    "service_area": [("id", S, R), ("service_id", S, O), ("name", S, O), ("description", S, O), ("extent", S, O),
                     ("extent_type", S, O), ("uri", S, O)],
    "required_document": [("id", S, R), ("service_id", S, O), ("document", S, O), ("uri", S, O)],
    "language": [("id", S, R), ("service_id", S, O), ("location_id", S, O), ("phone_id", S, O), ("name", S, O),
                 ("code", S, O), ("note", S, O)],
    "accessibility": [("id", S, R), ("location_id", S, O), ("description", S, O), ("details", S, O),
                      ("url", S, O)],
    "taxonomy_term": [("id", S, R), ("code", S, O), ("name", S, R), ("description", S, R), ("parent_id", S, O),
                      ("taxonomy", S, O), ("language", S, O), ("taxonomy_id", S, O), ("term_uri", S, O)],
    "metadata": [("id", S, R), ("resource_id", S, R), ("resource_type", S, R), ("last_action_date", D, R),
                 ("last_action_type", S, R), ("field_name", S, R), ("previous_value", S, R),
                 ("replacement_value", S, R), ("updated_by", S, R)],
    "meta_table_description": [("id", S, R), ("name", S, O), ("language", S, O), ("character_set", S, O)],
    "cost_option": [("id", S, R), ("service_id", S, R), ("valid_from", D, O), ("valid_to", D, O), ("option", S, O),
                    ("currency", S, O), ("amount", N, O), ("amount_description", S, O)],
    "organization_identifier": [("id", S, R), ("organization_id", S, R), ("identifier_scheme", S, O),
                                ("identifier_type", S, R), ("identifier", S, R)],
    "taxonomy": [("id", S, R), ("name", S, R), ("description", S, R), ("uri", S, O), ("version", S, O)],
}
# The file each table is written to: the specification's names.
PATHS = {table: f"{table}s.csv" for table in TABLES}
PATHS.update({"service_at_location": "service_at_location.csv", "funding": "funding.csv",
              "accessibility": "accessibility.csv", "metadata": "metadata.csv", "taxonomy": "taxonomies.csv",
              "address": "addresses.csv"})
FORMATS = {("organization", "email"): "email", ("organization", "website"): "uri", ("organization", "uri"): "uri",
           ("service", "url"): "uri", ("service", "email"): "email", ("service", "assurer_email"): "email",
           ("location", "url"): "uri", ("contact", "email"): "email", ("schedule", "schedule_link"): "uri",
           ("required_document", "uri"): "uri", ("accessibility", "url"): "uri",
           ("taxonomy_term", "term_uri"): "uri", ("taxonomy", "uri"): "uri"}
UNIQUE = {("program", "organization_id"), ("taxonomy_term", "code")}
FOREIGN_KEYS = {
    "program": [("organization_id", "organization")],
    "service": [("organization_id", "organization"), ("program_id", "program")],
    "attribute": [("taxonomy_term_id", "taxonomy_term")],
    "service_at_location": [("service_id", "service"), ("location_id", "location")],
    "location": [("organization_id", "organization")],
    "phone": [("contact_id", "contact"), ("location_id", "location"), ("organization_id", "organization"),
              ("service_id", "service"), ("service_at_location_id", "service_at_location")],
    "contact": [("location_id", "location"), ("organization_id", "organization"), ("service_id", "service"),
                ("service_at_location_id", "service_at_location")],
    "address": [("location_id", "location")],
    "schedule": [("location_id", "location"), ("service_id", "service"),
                 ("service_at_location_id", "service_at_location")],
    "funding": [("organization_id", "organization"), ("service_id", "service")],
    "service_area": [("service_id", "service")],
    "required_document": [("service_id", "service")],
    "language": [("location_id", "location"), ("phone_id", "phone"), ("service_id", "service")],
    "accessibility": [("location_id", "location")],
    # Not in the specification's package, true of ours: a term's parent is a term.
    "taxonomy_term": [("taxonomy_id", "taxonomy"), ("parent_id", "taxonomy_term")],
    "cost_option": [("service_id", "service")],
    "organization_identifier": [("organization_id", "organization")],
}
ENUMS = {("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
         ("location", "location_type"): ["physical", "postal", "virtual"],
         ("address", "address_type"): ["physical", "postal", "virtual"],
         ("schedule", "wkst"): ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
         ("schedule", "freq"): ["WEEKLY", "MONTHLY"]}
# What a location carries as attributes when its address cannot be an HSDS address row (a required field,
# usually the postcode, is unknown): the agency's own fields, so an import gets them back.
ADDRESS_FIELDS = ("road_address", "lot_address", "sido", "sigungu", "eupmyeondong", "postcode")
_POSTCODE = re.compile(r"^\d{5}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@dataclass
class HSDSExport:
    """What `export_hsds` wrote: rows per table, and what the standard made it leave out or fill."""

    counts: dict[str, int]
    #: agencies whose address is not an `address` row (a required field unknown; the location keeps the text)
    addresses_left_out: int = 0
    #: of those, how many lacked only the postcode
    without_postcode: int = 0
    #: postcodes taken from another list's agency in the same building (same road address)
    postcodes_from_same_building: int = 0
    #: verification dates that are not a calendar date (kept as an attribute, not `assured_date`)
    dates_as_text: int = 0


class HSDSError(ImportFormatError):
    """The package is not an HSDS tabular data package we can read."""

    code = "hsds_error"


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def self_organization_id(service_id: str) -> str:
    """The organization id of an agency that stands for itself (no operator named)."""
    return _id("org-of", service_id)


def _format(table: str, field: str) -> str | None:
    if field == "id" or field.endswith("_id") and field != "tax_id":  # a tax number is not one of our ids
        return "uuid"
    return FORMATS.get((table, field))


def descriptor(name: str = "yeongye-directory", description: str | None = None) -> dict:
    """The datapackage.json content: the HSDS 3.0.0 tables, fields, types, formats, constraints and keys."""
    resources = []
    for table, fields in TABLES.items():
        schema_fields = []
        for field, kind, required in fields:
            entry = {"name": field, "type": kind}
            if _format(table, field):
                entry["format"] = _format(table, field)
            constraints = {"required": required, "unique": field == "id" or (table, field) in UNIQUE}
            if (table, field) in ENUMS:
                constraints["enum"] = ENUMS[(table, field)]
            entry["constraints"] = constraints
            schema_fields.append(entry)
        schema = {"fields": schema_fields, "primaryKey": ["id"]}
        keys = [{"fields": [f], "reference": {"resource": "" if ref == table else ref, "fields": ["id"]}}
                for f, ref in FOREIGN_KEYS.get(table, [])]
        if keys:
            schema["foreignKeys"] = keys
        resources.append({"name": table, "path": PATHS[table], "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema})
    package = {"name": name, "title": "연계 자원 목록 (Open Referral HSDS 3.0)", "profile": "tabular-data-package",
               "version": "3.0.0", "licenses": [{"name": "KOGL-Type1", "title": "공공누리 제1유형 (출처표시)"}],
               "resources": resources}
    if description:
        package["description"] = description
    return package


# --- export ---------------------------------------------------------------------


def export_hsds(db, directory, *, where: str = "1", params=()) -> HSDSExport:
    """Write the directory's agencies as an HSDS 3.0 tabular data package; what was written.

    Every table of the standard is written under its standard file name
    (header only where we have nothing). An address becomes an `address`
    row only with every field the standard requires (address_1, city,
    state_province, postal_code); a missing postcode is taken from another
    agency at the same road address and building number (a postcode is a
    building's), never guessed. Otherwise the location keeps the address as
    text (its description) and as attributes, and the report counts it.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    conn = getattr(db, "conn", db)
    rows = {table: [] for table in TABLES}
    terms = _taxonomy_rows(conn, rows)
    postcodes = _postcodes_by_building(conn)
    report = HSDSExport(counts={})
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
        verified = agency["verified_date"]
        rows["service"].append({
            "id": service_id, "organization_id": org_id, "name": agency["name"],
            "description": agency["services"], "url": agency["homepage"], "status": "active",
            "eligibility_description": agency["target_groups"],
            "assured_date": verified if verified and _ISO_DATE.match(verified) else None,
            "last_modified": agency["updated_at"] if _ISO_DATETIME.match(agency["updated_at"] or "") else None,
        })
        if verified and not _ISO_DATE.match(verified):
            report.dates_as_text += 1
            rows["attribute"].append(_field_attribute(terms, service_id, "service", "verified_date", verified))
        address = _address_row(agency, service_id, location_id, postcodes, report)
        notes = [_placement_note(agency["placement"])]
        if address is None and (agency["road_address"] or agency["lot_address"]):
            notes.insert(0, "주소: " + (agency["road_address"] or agency["lot_address"]))
            for field in ADDRESS_FIELDS:
                if agency[field]:
                    rows["attribute"].append(_field_attribute(terms, location_id, "location", field, agency[field]))
        rows["location"].append({
            "id": location_id, "location_type": "physical", "organization_id": org_id, "name": agency["name"],
            "description": " · ".join(n for n in notes if n) or None,
            "latitude": agency["lat"], "longitude": agency["lon"],
            "external_identifier": agency["region_code"],
            "external_identifier_type": "KOSTAT 행정구역코드" if agency["region_code"] else None,
        })
        rows["service_at_location"].append({"id": _id("sal", service_id), "service_id": service_id,
                                            "location_id": location_id})
        if address is not None:
            rows["address"].append(address)
            if agency["lot_address"] and not agency["road_address"]:
                # address_1 holds a 지번 address: say so, or it comes back as a road address.
                rows["attribute"].append({"id": _id("attr-lot", service_id), "link_id": address["id"],
                                          "taxonomy_term_id": terms[("field", "lot_address")],
                                          "link_type": "lot_address", "link_entity": "address", "value": "지번"})
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
        with open(out / PATHS[table], "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, [f for f, _, _ in fields], extrasaction="ignore")
            writer.writeheader()
            for row in rows[table]:
                writer.writerow({k: _cell(v) for k, v in row.items()})
    report.counts = {table: len(rows[table]) for table in TABLES}
    note = None
    if report.addresses_left_out:
        note = (f"주소 {report.addresses_left_out}곳은 HSDS가 요구하는 항목(우편번호 {report.without_postcode}곳 등)을 "
                "몰라 address 표에 넣지 않았습니다. 주소는 location의 description과 attribute에 있습니다.")
    (out / "datapackage.json").write_text(json.dumps(descriptor(description=note), ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    return report


def _postcodes_by_building(conn) -> dict[str, str]:
    """address_key(road address) -> postcode, from agencies that have one; a key with two postcodes is dropped."""
    found: dict[str, set] = {}
    for road, postcode in conn.execute("SELECT road_address, postcode FROM agencies "
                                       "WHERE postcode IS NOT NULL AND road_address IS NOT NULL"):
        key = address_key(road)
        if key and _POSTCODE.match(postcode or ""):
            found.setdefault(key, set()).add(postcode)
    return {key: codes.pop() for key, codes in found.items() if len(codes) == 1}


def _address_row(agency: dict, service_id: str, location_id: str, postcodes: dict, report: HSDSExport):
    """The agency's HSDS address row, or None (counted in `report`) when a required field is unknown."""
    if not (agency["road_address"] or agency["lot_address"]):
        return None
    postcode = agency["postcode"] if _POSTCODE.match(agency["postcode"] or "") else None
    if postcode is None and agency["road_address"]:
        postcode = postcodes.get(address_key(agency["road_address"]))
        report.postcodes_from_same_building += postcode is not None
    # 세종특별자치시 has no 시군구: the city is the 시도 itself (the store's 시군구 for 세종 too).
    city = agency["sigungu"] or (agency["sido"] if agency["sido"] == SEJONG else None)
    if not (postcode and city and agency["sido"]):
        report.addresses_left_out += 1
        report.without_postcode += postcode is None
        return None
    return {"id": _id("address", service_id), "location_id": location_id,
            "address_1": agency["road_address"] or agency["lot_address"],
            "address_2": agency["lot_address"] if agency["road_address"] else None,
            "city": city, "region": agency["eupmyeondong"], "state_province": agency["sido"],
            "postal_code": postcode, "country": "KR", "address_type": "physical"}


def _field_attribute(terms: dict, link_id: str, entity: str, field: str, value) -> dict:
    return {"id": _id(f"attr-{field}", link_id), "link_id": link_id, "taxonomy_term_id": terms[("field", field)],
            "link_type": field, "link_entity": entity, "value": value}


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
    fields = (("capacity", "정원 또는 종사자 수"), ("lot_address", "지번 주소"), ("road_address", "도로명 주소"),
              ("sido", "시도"), ("sigungu", "시군구"), ("eupmyeondong", "읍면동"), ("postcode", "우편번호"), ("verified_date", "확인일 (날짜 형식 아님)"))
    for field, description in fields:
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
            if not address:
                # An address the standard's address table could not hold (no postcode): the location's attributes.
                for attribute in attributes.get(location.get("id"), []):
                    if attribute.get("link_type") in ADDRESS_FIELDS and attribute.get("value"):
                        fields[attribute["link_type"]] = attribute["value"]
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
                elif kind == "verified_date" and not fields["verified_date"]:
                    fields["verified_date"] = attribute.get("value")
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
