"""Where the project's shipped data lives.

The data folder sits at the repository root beside the packages (installed in
editable mode by `make`), so a fresh clone needs nothing outside itself.
"""
from pathlib import Path

__all__ = [
    "ROOT", "DATA_DIR", "REFERENCE_DIR", "PUBLIC_DIR", "STUDY_DIR",
]

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
PUBLIC_DIR = DATA_DIR / "public"
STUDY_DIR = DATA_DIR / "study2024"
