"""Benchmark of the delegation scheduler (events/scheduling).

Run as `.venv/bin/python bench/bench_scheduler.py`. Prints one line per figure:

    BENCH name=<dotted.name> value=<n> unit=<u> baseline=<n|-> ratio=<n|->

The published B2B instances are read from ../shared/benchmarks/b2b (beside the repository)
and skipped with a message when absent. Each case runs in a child process so that its peak
resident memory (OR-Tools allocates natively, out of tracemalloc's sight) is measured with
getrusage(RUSAGE_CHILDREN).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
B2B = REPO.parent / "shared" / "benchmarks" / "b2b"
WORKERS = 2
PUBLISHED = {"tic-12": 0, "forumt-14": 5}  # optimum total breaks (Bofill et al., JAIR 2022)


def emit(
    name: str, value: float | int, unit: str, baseline: float | int | None = None, note: str = ""
) -> None:
    if baseline is None:
        base, ratio = "-", "-"
    else:
        base = f"{baseline}{note}"
        ratio = "-" if baseline == 0 else f"{value / baseline:.3f}"
    print(f"BENCH name={name} value={value} unit={unit} baseline={base} ratio={ratio}", flush=True)


def child(case: str, time_limit: float) -> None:
    """Run one case in this process and print its figures as JSON on stdout."""
    sys.path.insert(0, str(REPO))
    from events.scheduling import check, solve_detailed
    from events.scheduling.generate import generate_delegation

    if case == "large":
        problem: dict[str, Any] = generate_delegation(seed=0)
    else:
        problem = json.loads((B2B / f"{case}.json").read_text())
    result = solve_detailed(problem, time_limit=time_limit, workers=WORKERS, seed=0)
    solution = result.solution
    print(
        json.dumps(
            {
                "status": solution["status"],
                "seconds": solution["seconds"],
                "first": result.first_solution_seconds,
                "weight": solution["objective"]["scheduled_weight"],
                "breaks": solution["objective"]["breaks"],
                "breaks_bound": solution["bound"].get("breaks"),
                "weight_bound": result.weight_bound,
                "scheduled": len(solution["scheduled"]),
                "errors": check(problem, solution),
            }
        )
    )


def run_child(case: str, time_limit: float) -> tuple[dict[str, Any], float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, __file__, "--child", case, str(time_limit)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    # ru_maxrss of children is the largest child so far (KiB on Linux); each case runs after
    # smaller ones, so the maximum is this case's peak unless an earlier one was bigger.
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return json.loads(proc.stdout.strip().splitlines()[-1]), peak


def main() -> int:
    for case, key in (("tic-12", "tic12"), ("forumt-14", "forumt14")):
        if not (B2B / f"{case}.json").exists():
            print(f"skip {case}: {B2B / (case + '.json')} absent", flush=True)
            continue
        figures, _ = run_child(case, 60)
        if figures["errors"]:
            print(f"INVALID {case}: {figures['errors'][:3]}", flush=True)
            return 1
        emit(f"bench.scheduler.{key}.seconds", figures["seconds"], "s")
        emit(f"bench.scheduler.{key}.first_solution_seconds", round(figures["first"], 3), "s")
        emit(
            f"bench.scheduler.{key}.breaks",
            figures["breaks"],
            "breaks",
            PUBLISHED[case],
            "(published optimum)",
        )
        emit(f"bench.scheduler.{key}.proven_optimal", int(figures["status"] == "optimal"), "bool")
    figures, peak = run_child("large", 60)
    if figures["errors"]:
        print(f"INVALID large: {figures['errors'][:3]}", flush=True)
        return 1
    emit("bench.scheduler.large.seconds", figures["seconds"], "s")
    emit("bench.scheduler.large.first_solution_seconds", round(figures["first"], 3), "s")
    emit("bench.scheduler.large.scheduled", figures["scheduled"], "meetings")
    emit(
        "bench.scheduler.large.weight",
        figures["weight"],
        "weight",
        figures["weight_bound"],
        "(proven upper bound)",
    )
    emit("bench.scheduler.large.weight_bound", figures["weight_bound"], "weight")
    emit("bench.scheduler.large.breaks", figures["breaks"], "breaks")
    emit("bench.scheduler.large.peak_memory", round(peak, 1), "MB")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], float(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
