"""Import and export pages.

Import (administrators): upload a file → preview what was recognised (the
column mapping, changeable, and the first rows) → confirm → the import runs
in a background thread while the page polls its progress → the report with
quarantined rows. Other users keep reading meanwhile (SQLite WAL); the upload
is size-limited (MAX_CONTENT_LENGTH) and checked by extension and content.

Export (anyone): agencies and links as CSV or XLSX with Korean headers, and
the whole directory as an Open Referral HSDS package (zip). Link notes go
only to those who may read the complex (its staff, its district's planners,
admins); for anyone else the links export has no note column.
"""
from __future__ import annotations

import json
import re
import secrets
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from directory.errors import YeongyeError
from directory.export import LINK_HEADERS, agency_table, link_table, to_csv, to_xlsx
from directory.store import connect, facet_values, list_complexes

from .auth import admin_required
from .db import get_db
from .errors import error_message

bp = Blueprint("transfer", __name__)

IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".html", ".htm")
PREVIEW_ROWS = 10
# The preview reads the whole upload inside a request; a file that needs
# longer than this is refused there rather than holding a server thread.
PREVIEW_SECONDS = 20.0
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# Background imports of this process: token -> state. Small and short-lived;
# the durable record of every import is the import_runs table.
_jobs: dict[str, dict] = {}
_jobs_lock = threading.Lock()


def _upload_dir(token: str | None = None) -> Path:
    root = Path(current_app.instance_path) / "uploads"
    if token is None:
        return root
    if not _TOKEN.match(token):
        abort(404)
    return root / token


def _uploaded_file(token: str) -> Path:
    folder = _upload_dir(token)
    files = sorted(f for f in folder.glob("*") if f.name not in ("job.json", "job.json.part")) \
        if folder.is_dir() else []
    if not files:
        abort(404, _("올린 파일을 찾을 수 없습니다. 다시 올려 주세요."))
    return files[0]


def check_upload(name: str, head: bytes) -> str | None:
    """Why an upload is refused (Korean), or None: the extension and the first bytes must agree."""
    suffix = Path(name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        return _("지원하지 않는 파일 형식입니다 (%(suffix)s). CSV, XLSX, HTML 형식의 xls 파일을 올리세요.",
                 suffix=suffix or "?")
    if not head:
        return _("빈 파일입니다.")
    if suffix == ".xlsx" and not head.startswith(b"PK\x03\x04"):
        return _("XLSX 파일이 아닙니다 (내용이 엑셀 형식이 아님).")
    if suffix in (".csv", ".tsv", ".txt") and b"\x00" in head:
        return _("텍스트(CSV) 파일이 아닙니다 (이진 데이터가 들어 있음).")
    if suffix in (".xls", ".html", ".htm") and b"<table" not in head.lower() and not head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("표가 들어 있는 HTML/XLS 파일이 아닙니다.")
    return None


# --- import ------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_form():
    """Upload a list; on success go to its preview."""
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("파일을 고르세요."), "error")
            return render_template("transfer/import.html", title=_("목록 가져오기"), runs=_recent_runs()), 400
        head = upload.stream.read(65536)
        upload.stream.seek(0)
        problem = check_upload(upload.filename, head)
        if problem:
            flash(problem, "error")
            return render_template("transfer/import.html", title=_("목록 가져오기"), runs=_recent_runs()), 415
        token = secrets.token_urlsafe(16)
        folder = _upload_dir(token)
        folder.mkdir(parents=True, exist_ok=True)
        # Keep Korean file names (secure_filename would drop them) but no path parts.
        name = Path(upload.filename.replace("\\", "/")).name.strip() or "upload"
        safe = secure_filename(name)
        name = name if re.fullmatch(r"[\w가-힣 .()\-]+", name) and not name.startswith(".") else (safe or "upload")
        upload.save(folder / name)
        return redirect(url_for("transfer.preview", token=token))
    return render_template("transfer/import.html", title=_("목록 가져오기"), runs=_recent_runs())


def _recent_runs() -> list[dict]:
    from importers.imports import list_runs

    return list_runs(get_db(), limit=10)


def _overrides(form) -> dict[str, str]:
    return {k[4:]: v for k, v in form.items() if k.startswith("map_") and v}


def describe_file(db, path: Path, overrides: dict[str, str] | None = None) -> dict:
    """What an import of `path` would do: the plan of importers.detect (the import's own dispatcher), worded.

    Keys: ``plan`` (the ImportPlan, None when the file cannot be read),
    ``kind`` (its code) and ``kind_label`` (in the page's language),
    headers, first rows, the row count, the mapping and its lines, and the
    error the import would meet.
    """
    from importers import detect
    from importers.reading import ReadBudget
    from importers.tabular import FIELDS, find_header_row

    info = {"file": path.name, "plan": None, "kind": None, "kind_label": None, "headers": [], "rows": [],
            "total": 0, "mapping": {}, "lines": [], "error": None, "fields": FIELDS}
    try:
        plan = detect(db, path, mapping=overrides or None, budget=ReadBudget(path.name, seconds=PREVIEW_SECONDS))
        info.update(plan=plan, kind=plan.kind, kind_label=_kind_label(plan), total=plan.rows)
        if plan.table is not None:
            table = find_header_row(plan.table) if plan.kind in ("tabular", "near_miss") else plan.table
            info.update(headers=table.headers, rows=table.rows[:PREVIEW_ROWS], encoding=table.encoding)
        if plan.mapping is not None:
            info["mapping"] = plan.mapping.as_dict()
            info["lines"] = plan.mapping.describe()
        if plan.error is not None:
            info["error"] = error_message(plan.error)
    except YeongyeError as exc:  # the core's family, worded in the request's language
        info["error"] = error_message(exc)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        info["error"] = _("파일을 읽을 수 없습니다: %(err)s", err=str(exc)[:300])
    return info


def _kind_label(plan) -> str:
    """The name of a plan's kind for the preview page (a standard list by its own label)."""
    if plan.kind == "standard":
        return plan.dataset.label
    if plan.kind == "near_miss":
        return _("일반 기관 목록 (%(dataset)s의 필수 열 없음: %(missing)s)", dataset=plan.dataset.label,
                 missing=", ".join(plan.missing))
    return {"hsds": _("HSDS 패키지 (Open Referral)"), "matrix": _("연계 매트릭스 (연구 자료 형식)"),
            "tabular": _("일반 기관 목록")}[plan.kind]


@bp.route("/import/<token>/preview", methods=["GET", "POST"])
@admin_required
def preview(token: str):
    """What was recognised; the user may change the mapping, then confirm."""
    path = _uploaded_file(token)
    overrides = _overrides(request.form) if request.method == "POST" else {}
    info = describe_file(get_db(), path, overrides)
    return render_template("transfer/preview.html", title=_("가져오기 미리보기"), token=token, info=info,
                           overrides=overrides), 400 if info["error"] and request.method == "POST" else 200


@bp.route("/import/<token>/confirm", methods=["POST"])
@admin_required
def confirm(token: str):
    """Start the import in a background thread and show its progress page."""
    state = _upload_dir(token) / "job.json"
    if token not in _jobs and state.exists():  # started by another server process
        return redirect(url_for("transfer.status", token=token))
    path = _uploaded_file(token)
    overrides = _overrides(request.form)
    with _jobs_lock:
        job = _jobs.get(token)
        if job is None or job["status"] == "error":
            job = _jobs[token] = {"status": "queued", "done": 0, "total": 0, "summary": None, "error": None,
                                  "user": current_user.username, "user_id": current_user.id,
                                  "started": time.time()}
            # The signed-in User itself, not the request-bound proxy: the thread outlives the request.
            actor = current_user._get_current_object()
            thread = threading.Thread(target=_run_import, name=f"import-{token[:6]}", daemon=True,
                                      args=(current_app.config["DATABASE"], path, overrides, job, actor))
            thread.start()
    return redirect(url_for("transfer.status", token=token))


def _save_job(folder: Path, job: dict) -> None:
    """The job's state beside its upload, so any server process (serve --processes N) can show it."""
    tmp = folder / "job.json.part"
    tmp.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    tmp.replace(folder / "job.json")


def _run_import(db_path: str, path: Path, overrides: dict, job: dict, actor) -> None:
    """The import itself, on its own connection, audited as `actor`; progress goes into `job` and job.json."""
    from importers import import_file

    db = None
    folder = path.parent
    last = [0.0]
    try:
        db = connect(db_path)
        job["status"] = "running"
        _save_job(folder, job)

        def set_total(rows):  # import_file reads the file once and says how many rows it holds
            job["total"] = rows
            _save_job(folder, job)

        def progress(n):
            job["done"] += n
            if time.monotonic() - last[0] > 0.3:
                last[0] = time.monotonic()
                _save_job(folder, job)

        summary = import_file(db, path, mapping=overrides or None, progress=progress, on_rows=set_total,
                              actor=actor)
        job["summary"] = summary.as_dict()
        job["status"] = "done"
        path.unlink(missing_ok=True)  # the data is in the store now; keep only job.json
    except YeongyeError as exc:
        # The thread has no request, so no language: the code and parameters
        # are kept, and the page words them for whoever looks (_job_error).
        job["error"], job["status"] = str(exc), "error"
        job["error_code"], job["error_params"] = exc.code, _json_params(exc.params)
    except (OSError, ValueError) as exc:
        job["error"], job["status"] = str(exc), "error"
    except Exception as exc:  # noqa: BLE001 - a background thread must report, not die silently
        job["error"], job["status"] = f"{type(exc).__name__}: {exc}", "error"
    finally:
        if db is not None:
            db.conn.close()
        _save_job(folder, job)


def _json_params(params: dict) -> dict:
    """An error's parameters as job.json can hold them (numbers and text as they are, anything else as text)."""
    return {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in params.items()}


def _job_error(job: dict) -> str | None:
    """The job's error in the request's language (a core error by its code; any other as it was recorded)."""
    if job.get("error_code"):
        return error_message(YeongyeError(job["error_code"], **job.get("error_params", {})))
    return job["error"]


def _job(token: str) -> dict:
    if not _TOKEN.match(token):
        abort(404)
    job = _jobs.get(token)
    if job is None:
        state = _upload_dir(token) / "job.json"
        try:
            job = json.loads(state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            abort(404, _("진행 중인 가져오기를 찾을 수 없습니다 (서버가 다시 시작되었을 수 있습니다)."))
    return job


@bp.route("/import/<token>/status")
@admin_required
def status(token: str):
    """Progress while running (the page polls progress.json); the report when done."""
    job = _job(token)
    quarantine = []
    if job["status"] == "done" and job["summary"] and job["summary"].get("run_id"):
        from importers.imports import quarantined_rows

        quarantine = quarantined_rows(get_db(), job["summary"]["run_id"], limit=500)
    job = {**job, "error": _job_error(job)}
    return render_template("transfer/status.html", title=_("가져오기"), token=token, job=job, quarantine=quarantine)


@bp.route("/import/<token>/progress.json")
@admin_required
def progress(token: str):
    """{status, done, total, error} for the progress bar."""
    job = _job(token)
    return jsonify(status=job["status"], done=job["done"], total=job["total"], error=_job_error(job))


# --- export ------------------------------------------------------------------


@bp.route("/exports")
def exports():
    """Download the directory: agencies and links in CSV or XLSX; HSDS package."""
    db = get_db()
    return render_template("transfer/exports.html", title=_("내보내기"), sidos=facet_values(db, "sido"),
                           categories=facet_values(db, "category"), complexes=list_complexes(db))


def _filters() -> dict:
    return {k: (request.args.get(k) or "").strip()[:100] or None for k in ("category", "type", "sido", "sigungu")}


def _download(data: bytes, name: str, mimetype: str):
    from io import BytesIO

    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/exports/agencies.<fmt>")
def export_agencies(fmt: str):
    """Agencies (filtered like the list) as CSV or XLSX with Korean headers."""
    headers, rows = agency_table(get_db(), **_filters())
    if fmt == "csv":
        return _download(to_csv(headers, rows), "yeongye-agencies.csv", "text/csv")
    if fmt == "xlsx":
        return _download(to_xlsx({"기관": (headers, rows)}), "yeongye-agencies.xlsx", XLSX)
    abort(404)


@bp.route("/exports/links.<fmt>")
def export_links(fmt: str):
    """Every complex's partner links (or one complex's) as CSV or XLSX; notes only where the user may read them."""
    complex_id = request.args.get("complex", type=int)
    if complex_id is not None and not 1 <= complex_id <= 2**62:
        abort(404)
    headers, rows = _readable_notes(*link_table(get_db(), complex_id))
    if fmt == "csv":
        return _download(to_csv(headers, rows), "yeongye-links.csv", "text/csv")
    if fmt == "xlsx":
        return _download(to_xlsx({"연계": (headers, rows)}), "yeongye-links.xlsx", XLSX)
    abort(404)


def _readable_notes(headers: list[str], rows: list[list]) -> tuple[list[str], list[list]]:
    """Blank the notes of complexes the user may not read; with none readable, drop the note column."""
    readable = {c["name"] for c in list_complexes(get_db()) if current_user.can_read_complex(c)}
    at, note = headers.index(LINK_HEADERS["complex"]), headers.index(LINK_HEADERS["note"])
    if not readable:
        return headers[:note] + headers[note + 1:], [row[:note] + row[note + 1:] for row in rows]
    for row in rows:
        if row[at] not in readable:
            row[note] = None
    return headers, rows


@bp.route("/exports/hsds.zip")
def export_hsds_zip():
    """The whole directory as an Open Referral HSDS 3.0 tabular data package, zipped."""
    from io import BytesIO

    from importers.hsds import export_hsds

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hsds"
        export_hsds(get_db(), folder)
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(folder))
    return _download(buffer.getvalue(), "yeongye-hsds.zip", "application/zip")
