"""The second default corpus: service code, not the standard library.

Applications built on Django, Celery, Tornado and FastAPI, as their published wheels (a wheel
holds the same Python files as the sdist, and needs no build step to unpack). Downloaded once
with `pip download --no-deps` into a cache folder and unpacked beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

# Django + Celery ticketing service; Celery's Tornado monitoring service
APPLICATIONS = ["pretix==2026.8.0", "flower==2.2.0"]


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "infralint-bench" / "service"


def service_paths() -> list[Path]:
    """The unpacked applications (downloaded on first use)."""
    folder = cache_folder()
    unpacked = folder / "src"
    if not unpacked.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder), *APPLICATIONS], check=True)
        for wheel in sorted(folder.glob("*.whl")):
            target = unpacked / wheel.name.split("-")[0]
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(target)
    return sorted(p for p in unpacked.iterdir() if p.is_dir())
