"""The message catalogues: Korean msgids, an English catalogue, kept complete.

`python -m web.i18n update` extracts every `_()` string from the templates
and Python code (babel.cfg), adds the strings that pages translate from
data (measure names and explanations, frequency labels, content types,
roles, field names — looked up with `_(value)` so no extractor can see
them), merges them into web/translations/en/LC_MESSAGES/messages.po keeping
existing translations, and compiles messages.mo. `python -m web.i18n check`
lists what is untranslated; tests/test_i18n.py fails on any.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LOCALES = ("en",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
SOURCE_DIRS = ("web",)


def dynamic_msgids() -> list[str]:
    """Korean strings that templates pass to `_()` from data rather than as literals."""
    from directory.accounts import ROLE_LABELS
    from directory.editing import EDITABLE
    from directory.paths import REFERENCE_DIR

    out = list(ROLE_LABELS.values()) + list(EDITABLE.values())
    from directory.accounts import SITE_ROLE_LABELS
    from directory.sites import FIELD_LABELS as SITE_FIELDS
    from directory.sites import KIND_LABELS

    out += list(SITE_ROLE_LABELS.values()) + list(SITE_FIELDS.values()) + list(KIND_LABELS.values())
    # Core errors: the sentence of every code, and the labels their parameters carry.
    from directory.messages import MESSAGES
    from directory.privacy import FIELDS as PRIVACY_FIELDS
    from directory.privacy import KINDS as PRIVACY_KINDS

    out += list(MESSAGES.values()) + list(PRIVACY_KINDS.values()) + list(PRIVACY_FIELDS.values())
    out += ["글", "개인정보로 보이는 말"]  # directory.privacy's labels for an unnamed field or kind
    from directory import indicators, outcomes

    # The outcome indicators' words: count labels and scales in errors, labels and prompts for pages.
    for table in (indicators.COUNT_LABELS, indicators.EXIT_LABELS, indicators.INDICATOR_LABELS,
                  indicators.REASON_PROMPTS, indicators.BAND_LABELS, indicators.GRADE_LABELS,
                  outcomes.INSTRUMENT_LABELS, outcomes.WAVE_LABELS, indicators.SEX_LABELS):
        out += list(table.values())
    # The two sheets and the evaluation table, as the housing pages show them (issue 13).
    for question, options in (*indicators.ISOLATION_SCALE, *indicators.AUDIT_SCALE):
        out += [question, *(label for label, _points in options)]
    for item in indicators.evaluation_indicators():
        out += [item.area, item.item, item.name, *item.evidence]
    from importers.tabular import FIELDS
    from network.explain import EXPLAIN, LABELS

    out += list(LABELS.values()) + list(EXPLAIN.values()) + list(FIELDS.values())
    for name, column in (("content_types.csv", "name"), ("frequency_levels.csv", "label"),
                         ("partner_profile_texts.csv", "title"), ("partner_profile_texts.csv", "text"),
                         ("categories.csv", "name"), ("meeting_kinds.csv", "name"),
                         ("programme_roles.csv", "name"), ("link_depth_rules.csv", "label"),
                         ("link_depth_rules.csv", "reason")):
        with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
            out += [row[column] for row in csv.DictReader(fh)]
    out += emergency_msgids()
    return list(dict.fromkeys(s for s in out if s))


def emergency_msgids() -> list[str]:
    """The 긴급복지 주거지원 screener's words and the data its page shows through `_()` (issue 14)."""
    from directory import emergency, playbooks
    from directory.emergency_contacts import contact_order

    out = list(emergency.WORDS.values()) + list(playbooks.WORDS.values()) + list(emergency.ANSWER_FIELDS.values())
    out += list(emergency.REGION_TYPES) + list(emergency.REGION_CLASSES)
    out += [r.label for r in emergency.crisis_reasons().values()]
    out += [item for _, item in emergency._bring_rows()]
    out += [e["why"] for entries in contact_order().values() for e in entries]
    for line in playbooks.national_lines().values():
        out += [line["name"], line["hours"]]
    for code, meta in playbooks.playbooks().items():
        book = playbooks.load_playbook(code)
        out += [book.title, *book.stages] + [s.title for s in book.steps] + [s.note for s in book.steps]
        out += [meta["start"], *meta["situations"].values()]  # what day a plan counts from; its situations
    for path in emergency.threshold_files().values():
        out += list(emergency.load_thresholds(path).caveats.values())
    return out


def extract() -> Catalog:
    """Every msgid of the app: extracted literals plus the data-driven ones."""
    catalog = Catalog(project="yeongye", locale=None, charset="utf-8")
    for folder in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
                ROOT / folder, METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {
                    "extensions": "jinja2.ext.do"}}):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    for msgid in dynamic_msgids():
        if msgid not in catalog:
            catalog.add(msgid, None, [("data", 0)])
    return catalog


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="yeongye", charset="utf-8")
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale)


def save(catalog: Catalog, locale: str) -> None:
    """Write the .po and compile the .mo beside it."""
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False, include_previous=False)
    path.write_bytes(buffer.getvalue())
    with open(path.with_suffix(".mo"), "wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)


def update() -> dict[str, list[str]]:
    """Merge the current msgids into every catalogue; returns the untranslated ones per locale."""
    template = extract()
    missing = {}
    for locale in LOCALES:
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        save(catalog, locale)
        missing[locale] = untranslated(catalog)
    return missing


def untranslated(catalog: Catalog) -> list[str]:
    """msgids without a (non-fuzzy) translation."""
    return [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        missing = update()
    elif command == "check":
        template = extract()
        missing = {}
        for locale in LOCALES:
            catalog = load(locale)
            missing[locale] = [m.id for m in template if m.id and (
                m.id not in catalog or not catalog[m.id].string or catalog[m.id].fuzzy)]
    else:
        print("usage: python -m web.i18n [update|check]")
        return 2
    for locale, ids in missing.items():
        print(f"{locale}: {len(ids)} untranslated")
        for msgid in ids:
            print(f"  {msgid}")
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
