"""Helpers for the benchmarks: a PostgreSQL database of their own, timing, BENCH lines.

A benchmark is a script `bench/bench_<topic>.py`; `make bench` runs each in turn
(`bench/run.py`). Each prints its figures as

    BENCH name=<dotted.name> value=<n> unit=<u> baseline=<n|-> ratio=<n|->

where the ratio is value / baseline, the baseline measured in the same run.
"""

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "forum_bench")
ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


def setup_django(*, fresh: bool = False) -> None:
    """Point Django at the benchmark database (created, and migrated, on first use).

    BENCH_DATABASE_URL overrides the database entirely (then nothing is created)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    # Per-task log lines would bury the figures.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        import psycopg

        base = ADMIN_URL.rsplit("/", 1)[0]
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
            ).fetchone()
            if exists and fresh:
                conn.execute(f'DROP DATABASE "{BENCH_DATABASE}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        url = f"{base}/{BENCH_DATABASE}"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def median_seconds(fn: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


def report(name: str, value: float | int, unit: str, baseline: float | int | None = None) -> None:
    ratio = value / baseline if baseline else None
    print(
        f"BENCH name={name} value={_fmt(value)} unit={unit} "
        f"baseline={_fmt(baseline)} ratio={_fmt(ratio)}",
        flush=True,
    )


def run_script(path: Path) -> int:
    return subprocess.call([sys.executable, str(path)], cwd=ROOT)
