"""Fuzz the JSON API from its own OpenAPI document with schemathesis; no request may give a 500.

Runs in-process against the WSGI app over a copy of the demo database (built
if missing), as an anonymous client and with an admin's and a team lead's
bearer token, so the write paths are fuzzed too. Prints one line per
operation and a summary; exits 1 on any server error.

    .venv/bin/python bench/fuzz_api.py [--examples 50]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hypothesis  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

from directory import accounts  # noqa: E402
from importers import demo  # noqa: E402
from directory.store import connect  # noqa: E402


def build_app(workdir: Path):
    """The app over a fresh demo store, with tokens for an admin and a team lead."""
    from web import create_app

    path = workdir / "fuzz.db"
    db = connect(path)
    demo.build(db)
    method, accounts.PASSWORD_METHOD = accounts.PASSWORD_METHOD, "pbkdf2:sha256:1000"  # setup speed only
    try:
        admin = accounts.create_user(db, "fuzz-admin", "fuzz-password", "admin")
        lead = accounts.create_user(db, "fuzz-lead", "fuzz-password", "team_lead", complexes=["A"])
    finally:
        accounts.PASSWORD_METHOD = method
    tokens = {"anonymous": None, "admin": accounts.issue_token(db, admin.id),
              "team_lead": accounts.issue_token(db, lead.id)}
    db.conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "fuzz"})
    return app, tokens


def fuzz(app, tokens: dict, examples: int) -> list[str]:
    """Run every operation as every identity; returns the failures found (server errors)."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures = []
    for identity, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @hypothesis.given(case=operation.as_strategy())
            def check(case):
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{identity} {case.method} {case.formatted_path} -> {response.status_code}: "
                                    f"{case.path_parameters} {case.query} {case.body!r}")

            check()
            print(f"{identity:<10} {operation.method.upper():<6} {operation.path}")
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50, help="generated cases per operation and identity")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        app, tokens = build_app(Path(tmp))
        failures = fuzz(app, tokens, args.examples)
    print(f"server errors: {len(failures)}")
    for line in failures[:20]:
        print("  " + line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
