"""Benchmark of the delegation scheduler (events/scheduling).

Run as `.venv/bin/python bench/bench_scheduler.py` (about 9 minutes on 2 cores). Prints
one line per figure:

    BENCH name=<dotted.name> value=<n> unit=<u> baseline=<n|-> ratio=<n|->

- every published B2B instance in bench/data/b2b (see its README.md), 60 s each: breaks
  against the published optimum, seconds to the first and to the best schedule, proven;
- the large generated delegation (generate_delegation(seed=0)), 60 s: weight, breaks, and
  the weight and breaks of a plain CP-SAT model (the paper's implied constraints, default
  search; weight, then breaks) measured in the same run, their ratio when it reaches our
  weight, and the ratio against the same plain model given exactly our meetings (all
  required) and 60 s to minimise breaks, which is at the same weight always; peak memory;
- re-planning: 5% of the delegates leave, the schedule is re-planned with `previous`, and
  the number of the other meetings that moved is printed.
BENCH_SCHEDULER_ONLY=large runs only the large case and the re-planning, and
BENCH_SCHEDULER_TABLES=N gives it N tables a slot instead of 20.
BENCH_SCHEDULER_VARIANTS=1 adds the variant suite (fairness 0-3, forbidden slots, fixed
meetings, precedences; about 20 minutes more). Each case runs in a child process so that
its peak resident memory (OR-Tools allocates natively) is measured with
getrusage(RUSAGE_CHILDREN).
"""

from __future__ import annotations

import copy
import json
import os
import random
import resource
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
B2B = REPO / "bench" / "data" / "b2b"
WORKERS = 2
# Optimum total breaks (Bofill et al., JAIR 2022), for the instances shipped in bench/data/b2b.
PUBLISHED = {
    "tic-12": 0,
    "forumt-14": 5,
    "forum-13crafc": 1,
    "ticf-13crafc": 1,
    "forum-13crafb": 6,
}
VARIANT_BASES = ("tic-12", "forumt-14")


def emit(
    name: str, value: float | int, unit: str, baseline: float | int | None = None, note: str = ""
) -> None:
    if baseline is None:
        base, ratio = "-", "-"
    else:
        base = f"{baseline}"
        ratio = "-" if baseline == 0 else f"{value / baseline:.3f}"
    print(f"BENCH name={name} value={value} unit={unit} baseline={base} ratio={ratio}", flush=True)
    if note and baseline is not None:
        # The line itself stays machine-readable; what the baseline is goes on its own line.
        print(f"# {name}: baseline = {baseline} {note.strip('() ')}", flush=True)


# ------------------------------------------------------------------------ variants
#
# The paper's benchmark (Bofill et al., JAIR 2022) adds to each instance forbidden slots,
# fixed meetings, precedences and fairness 0-3. Only two instances are published here, so
# the same kinds of variants are derived from them, deterministically from a seed. "safe"
# variants are built around a known valid schedule (`reference`: meeting id -> slot id), so
# they are feasible whenever the reference's break spread fits the fairness; "rand"
# variants ignore it and may be infeasible (the solver must then prove it).


def _with(base: dict[str, Any], fairness: int | None) -> dict[str, Any]:
    pb = copy.deepcopy(base)
    if fairness is None:
        pb.pop("fairness", None)
    else:
        pb["fairness"] = {"max_break_difference": fairness}
    return pb


def _forbid(pb: dict[str, Any], rng: random.Random, reference: dict[str, str] | None) -> None:
    """15% of participants lose one or two (adjacent) slots, as many as their agenda
    allows; with a reference one slot where they are idle in it, so it stays valid."""
    slots = [s["id"] for s in pb["slots"]]
    busy: dict[str, set[str]] = {}
    for m in pb["meetings"]:
        for p in m["participants"]:
            busy.setdefault(p, set())
            if reference is not None and m["id"] in reference:
                busy[p].add(reference[m["id"]])
    count: dict[str, int] = {}
    for m in pb["meetings"]:
        for p in m["participants"]:
            count[p] = count.get(p, 0) + 1
    people = sorted(pb["participants"], key=lambda p: p["id"])
    for p in rng.sample(people, max(1, round(0.15 * len(people)))):
        i = rng.randrange(len(slots))
        chosen = slots[i : i + rng.choice((1, 2))]
        # Never fewer free slots than meetings: that infeasibility is found without search.
        chosen = chosen[: max(0, len(slots) - len(p["unavailable"]) - count.get(p["id"], 0))]
        if reference is not None:
            idle = [s for s in slots if s not in busy.get(p["id"], set())]
            if not idle:
                continue
            chosen = [rng.choice(idle)]
        p["unavailable"] = sorted(set(p["unavailable"]) | set(chosen), key=slots.index)


def _fix(pb: dict[str, Any], rng: random.Random, reference: dict[str, str] | None, share: float):
    """Pin a share of the meetings: to their reference slot, or to a random slot that keeps
    the pinned meetings free of double booking and within the tables."""
    tables = {s["id"]: s["tables"] for s in pb["slots"]}
    unavailable = {p["id"]: set(p["unavailable"]) for p in pb["participants"]}
    taken: dict[str, int] = {}
    busy: set[tuple[str, str]] = set()
    for m in rng.sample(pb["meetings"], round(share * len(pb["meetings"]))):
        if reference is not None:
            m["fixed_slot"] = reference[m["id"]]
            continue
        options = [
            s
            for s in tables
            if taken.get(s, 0) < tables[s]
            and not any((p, s) in busy or s in unavailable[p] for p in m["participants"])
        ]
        if options:
            s = rng.choice(options)
            m["fixed_slot"] = s
            taken[s] = taken.get(s, 0) + 1
            busy.update((p, s) for p in m["participants"])


def _chain(pb: dict[str, Any], rng: random.Random, reference: dict[str, str] | None) -> None:
    """Precedence chains of three meetings sharing a participant (about 10% of meetings):
    in reference order when given, else in random order."""
    order = {s["id"]: i for i, s in enumerate(pb["slots"])}
    by_p: dict[str, list[dict[str, Any]]] = {}
    for m in pb["meetings"]:
        for p in m["participants"]:
            by_p.setdefault(p, []).append(m)
    people = sorted(p for p, ms in by_p.items() if len(ms) >= 3)
    used: set[str] = set()
    for p in rng.sample(people, min(len(people), max(1, len(pb["meetings"]) // 30))):
        ms = [m for m in by_p[p] if m["id"] not in used]
        if len(ms) < 3:
            continue
        ms = rng.sample(ms, 3)
        if reference is not None:
            ms.sort(key=lambda m: order[reference[m["id"]]])
        for a, b in zip(ms, ms[1:]):
            b["after"] = sorted(set(b["after"]) | {a["id"]})
        used.update(m["id"] for m in ms)


def make_variants(
    name: str, base: dict[str, Any], reference: dict[str, str], seed: int = 0
) -> list[tuple[str, dict[str, Any]]]:
    """Variants of one instance, in a fixed order, the same for the same arguments."""
    out: list[tuple[str, dict[str, Any]]] = []

    def add(label: str, fairness: int | None, *steps: Any) -> None:
        rng = random.Random(f"{name}/{label}/{seed}")
        pb = _with(base, fairness)
        for step in steps:
            step(pb, rng)
        pb["name"] = f"{name} {label}"
        out.append((f"{name}/{label}", pb))

    safe, free = reference, None
    for d in (0, 1, 2, 3):
        add(f"fair{d}", d)
    add("nofair", None)
    add("forbid-safe", 2, lambda pb, r: _forbid(pb, r, safe))
    add("forbid-rand", 2, lambda pb, r: _forbid(pb, r, free))
    add("forbid-rand-f1", 1, lambda pb, r: _forbid(pb, r, free))
    add("fixed-safe", 2, lambda pb, r: _fix(pb, r, safe, 0.1))
    add("fixed-rand", 2, lambda pb, r: _fix(pb, r, free, 0.05))
    add("prec-safe", 2, lambda pb, r: _chain(pb, r, safe))
    add("prec-rand", 2, lambda pb, r: _chain(pb, r, free))
    for d in (0, 1, 2, 3):
        add(
            f"all-safe-f{d}",
            d,
            lambda pb, r: _forbid(pb, r, safe),
            lambda pb, r: _fix(pb, r, safe, 0.05),
            lambda pb, r: _chain(pb, r, safe),
        )
    add(
        "all-rand-f2",
        2,
        lambda pb, r: _forbid(pb, r, free),
        lambda pb, r: _fix(pb, r, free, 0.03),
        lambda pb, r: _chain(pb, r, free),
    )
    return out


VARIANT_SEEDS = (0, 1, 2)
LIMIT = 60.0


def reference_schedule(problem: dict[str, Any]) -> dict[str, str]:
    """A valid schedule of a published instance, reproducible (one worker, solved to proof
    well within the limit), around which the "safe" variants are built."""
    from events.scheduling import solve

    solution = solve(problem, time_limit=60, workers=1, seed=0)
    assert solution["status"] == "optimal", solution["status"]
    return {e["meeting"]: e["slot"] for e in solution["scheduled"]}


def all_variants(seeds: tuple[int, ...] = VARIANT_SEEDS) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for case in VARIANT_BASES:
        base = json.loads((B2B / f"{case}.json").read_text())
        reference = reference_schedule(base)
        for seed in seeds:
            for label, pb in make_variants(case, base, reference, seed):
                out.append((f"{label}/s{seed}", pb))
    return out


def _figures(problem: dict[str, Any], time_limit: float, **kw: Any) -> dict[str, Any]:
    """Solve once; the figures the report needs, including when the best was first seen."""
    from events.scheduling import check, solve_detailed

    seen: list[tuple[float, int | None]] = []
    load = os.getloadavg()[0]
    result = solve_detailed(
        problem,
        time_limit=time_limit,
        workers=WORKERS,
        seed=0,
        progress=lambda p: seen.append((p.seconds, p.breaks)),
        **kw,
    )
    solution = result.solution
    breaks = solution["objective"]["breaks"]
    best_at = min((t for t, b in seen if b == breaks), default=solution["seconds"])
    return {
        "status": solution["status"],
        "method": result.method,
        "seconds": solution["seconds"],
        "first": result.first_solution_seconds,
        "best": best_at,
        "weight": solution["objective"]["scheduled_weight"],
        "breaks": breaks,
        "moved": solution["objective"].get("moved"),
        "bound": solution["bound"].get("breaks"),
        "weight_bound": result.weight_bound,
        "scheduled": len(solution["scheduled"]),
        "errors": check(problem, solution),
        "solution": solution,
        # The machine is shared: the load (1-minute average, before and after) and the CPU
        # seconds this process and its SAT children used say how much of the wall time
        # the solver actually had.
        "load": [round(load, 1), round(os.getloadavg()[0], 1)],
        "cpu": round(_cpu_seconds(), 1),
    }


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def plain_model(
    problem: dict[str, Any], time_limit: float, keep: set[str] | None = None
) -> dict[str, Any]:
    """The baseline: one CP-SAT model with the paper's implied constraints (busy slots =
    meetings; at most 2 x tables busy), default search: the weight, then the breaks.

    With `keep` (the meeting ids of our schedule) it is the plain model of the break phase
    alone: exactly those meetings, all required, breaks minimised for the whole time, so
    that its breaks compare with ours at the same weight."""
    from collections import defaultdict

    from ortools.sat.python import cp_model

    from events.scheduling import load_problem
    from events.scheduling.solver import analyse

    if keep is not None:
        problem = copy.deepcopy(problem)
        problem["meetings"] = [m for m in problem["meetings"] if m["id"] in keep]
        for m in problem["meetings"]:
            m["required"] = True
    pb = load_problem(problem)
    an = analyse(pb)
    model = cp_model.CpModel()
    x, per_slot, per_ps = {}, defaultdict(list), defaultdict(list)
    weight = []
    for m in pb.meetings:
        lits = [model.new_bool_var("") for _ in an.allowed[m.id]]
        for s, v in zip(an.allowed[m.id], lits):
            x[m.id, s] = v
            per_slot[s].append(v)
            for p in m.participants:
                per_ps[p, s].append(v)
        if m.required:
            model.add_exactly_one(lits)
        else:
            model.add_at_most_one(lits)
            weight.append(m.weight * sum(lits))
    for s, lits in per_slot.items():
        model.add(sum(lits) <= pb.slots[s].tables)
    busy = {}
    for (p, s), lits in per_ps.items():
        busy[p, s] = model.new_bool_var("")
        model.add(sum(lits) == busy[p, s])
    by_slot, by_p = defaultdict(list), defaultdict(list)
    for (p, s), b in busy.items():
        by_slot[s].append(b)
        by_p[p].append(s)
    for s, bs in by_slot.items():
        model.add(sum(bs) <= 2 * pb.slots[s].tables)
    breaks = []
    for p in pb.participants:
        slots = sorted(by_p.get(p.id, []))
        required = an.required_count.get(p.id, 0)
        if slots and all(m.required for m in an.meetings_of.get(p.id, [])):
            model.add(sum(busy[p.id, s] for s in slots) == required)
        for day in {pb.slots[s].day for s in slots}:
            ds = [s for s in slots if pb.slots[s].day == day]
            starts = []
            for s in ds:
                st = model.new_bool_var("")
                prev = busy.get((p.id, s - 1)) if s - 1 in ds else None
                model.add_implication(st, busy[p.id, s])
                if prev is None:
                    model.add(st == busy[p.id, s])
                else:
                    model.add_implication(st, prev.Not())
                    model.add_bool_or([busy[p.id, s].Not(), prev, st])
                starts.append(st)
            active = model.new_bool_var("")
            model.add_max_equality(active, [busy[p.id, s] for s in ds])
            breaks.append(sum(starts) - active)
    # Lexicographic the plain way: the weight for 60% of the time, then the breaks with
    # the weight held and the first schedule as a hint.
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    if keep is not None:
        model.minimize(sum(breaks))
        solver.parameters.max_time_in_seconds = time_limit
        code = solver.solve(model)
    else:
        model.maximize(sum(weight))
        solver.parameters.max_time_in_seconds = 0.6 * time_limit
        code = solver.solve(model)
    placed = {m: s for (m, s), v in x.items() if solver.boolean_value(v)} if code in (2, 4) else {}
    if code in (2, 4) and keep is None:
        model.add(sum(weight) >= int(solver.objective_value))
        for v in x.values():
            model.add_hint(v, solver.boolean_value(v))
        model.minimize(sum(breaks))
        solver.parameters.max_time_in_seconds = 0.4 * time_limit
        code = solver.solve(model)
        if code in (2, 4):
            placed = {m: s for (m, s), v in x.items() if solver.boolean_value(v)}
    breaks_of: dict[str, list[int]] = defaultdict(list)
    for mid, s in placed.items():
        for p in pb.meeting_by_id[mid].participants:
            breaks_of[p].append(s)
    total = 0
    for slots in breaks_of.values():
        slots.sort()
        total += sum(
            1 for a, b in zip(slots, slots[1:]) if b != a + 1 and pb.slots[a].day == pb.slots[b].day
        )
    weight_value = sum(
        pb.meeting_by_id[m].weight for m in placed if not pb.meeting_by_id[m].required
    )
    return {"status": solver.status_name(code), "breaks": total, "weight": weight_value}


def replan_problem(problem: dict[str, Any], solution: dict[str, Any], share: float = 0.05):
    """5% of the delegates leave: their meetings go, the rest keep `previous`."""
    rng = random.Random(0)
    delegates = sorted({p["id"] for p in problem["participants"] if p["id"].startswith("jp")})
    gone = set(rng.sample(delegates, round(share * len(delegates))))
    pb = copy.deepcopy(problem)
    drop = {m["id"] for m in pb["meetings"] if gone & set(m["participants"])}
    pb["meetings"] = [m for m in pb["meetings"] if m["id"] not in drop]
    pb["participants"] = [p for p in pb["participants"] if p["id"] not in gone]
    pb["previous"] = [
        {"meeting": e["meeting"], "slot": e["slot"]}
        for e in solution["scheduled"]
        if e["meeting"] not in drop
    ]
    return pb, len(gone), len(pb["previous"])


def child(case: str, time_limit: float) -> None:
    """Run one case in this process and print its figures as JSON on stdout."""
    from events.scheduling.generate import generate_delegation

    if case == "variants":
        from events.scheduling import check, solve_detailed

        for label, problem in all_variants():
            result = solve_detailed(problem, time_limit=time_limit, workers=WORKERS, seed=0)
            s = result.solution
            row = {"variant": label, "status": s["status"], "seconds": s["seconds"]}
            row.update(first=result.first_solution_seconds, breaks=s["objective"]["breaks"])
            row.update(bound=s["bound"].get("breaks"), errors=check(problem, s))
            print(json.dumps(row), flush=True)
        return
    if case in ("large", "plain", "plain-same", "replan"):
        # BENCH_SCHEDULER_TABLES=40 runs the large case with more tables (default 20).
        tables = int(os.environ.get("BENCH_SCHEDULER_TABLES", "20"))
        problem: dict[str, Any] = generate_delegation(seed=0, tables=tables)
    else:
        problem = json.loads((B2B / f"{case}.json").read_text())
    if case == "plain":
        print(json.dumps(plain_model(problem, time_limit)))
        return
    if case == "plain-same":
        ours = json.loads((REPO / "var" / "bench-large-solution.json").read_text())
        keep = {e["meeting"] for e in ours["scheduled"]}
        print(json.dumps(plain_model(problem, time_limit, keep)))
        return
    if case == "replan":
        first = json.loads((REPO / "var" / "bench-large-solution.json").read_text())
        problem, gone, kept = replan_problem(problem, first)
        figures = _figures(problem, time_limit)
        figures.update(gone=gone, previous=kept)
    else:
        figures = _figures(problem, time_limit)
    if case == "large":
        (REPO / "var").mkdir(exist_ok=True)
        (REPO / "var" / "bench-large-solution.json").write_text(json.dumps(figures["solution"]))
    figures.pop("solution")
    print(json.dumps(figures))


def run_child(case: str, time_limit: float) -> tuple[Any, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, __file__, "--child", case, str(time_limit)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if proc.returncode != 0:
        # Shown, not swallowed: the figures of a crashed case would be meaningless.
        print(f"# child {case} failed:\n{proc.stderr[-3000:]}", flush=True)
        proc.check_returncode()
    # ru_maxrss of children is the largest child so far (KiB on Linux); each case runs after
    # smaller ones, so the maximum is this case's peak unless an earlier one was bigger.
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return (
        [json.loads(line) for line in lines] if case == "variants" else json.loads(lines[-1])
    ), peak


def bench_published() -> bool:
    for case, optimum in PUBLISHED.items():
        key = case.replace("-", "")
        f, _ = run_child(case, LIMIT)
        if f["errors"]:
            print(f"INVALID {case}: {f['errors'][:3]}", flush=True)
            return False
        emit(f"bench.scheduler.{key}.breaks", f["breaks"], "breaks", optimum, "(published optimum)")
        emit(f"bench.scheduler.{key}.proven_optimal", int(f["status"] == "optimal"), "bool")
        emit(f"bench.scheduler.{key}.first_solution_seconds", round(f["first"] or -1, 3), "s")
        emit(f"bench.scheduler.{key}.best_solution_seconds", round(f["best"], 3), "s")
        emit(f"bench.scheduler.{key}.seconds", f["seconds"], "s")
        emit(f"bench.scheduler.{key}.cpu_seconds", f["cpu"], "s")
        print(
            f"# {case}: {f['method']} {f['status']} bound={f['bound']} "
            f"load {f['load'][0]}-{f['load'][1]} on {os.cpu_count()} cores",
            flush=True,
        )
    return True


def bench_variants() -> bool:
    rows, _ = run_child("variants", LIMIT)
    for row in rows:
        print(
            f"variant {row['variant']}: {row['status']} breaks={row['breaks']} "
            f"bound={row['bound']} seconds={row['seconds']} first={row['first']}",
            flush=True,
        )
    if any(row["errors"] for row in rows):
        print("INVALID variant schedules", flush=True)
        return False
    solved = [row for row in rows if row["status"] in ("optimal", "infeasible")]
    emit("bench.scheduler.variants.solved", len(solved), "variants", len(rows), "(all)")
    emit("bench.scheduler.variants.max_seconds", max(r["seconds"] for r in rows), "s")
    seconds = [r["seconds"] for r in rows]
    emit("bench.scheduler.variants.median_seconds", round(statistics.median(seconds), 3), "s")
    return True


def bench_large() -> bool:
    f, peak = run_child("large", LIMIT)
    if f["errors"]:
        print(f"INVALID large: {f['errors'][:3]}", flush=True)
        return False
    plain, _ = run_child("plain", LIMIT)
    emit("bench.scheduler.large.seconds", f["seconds"], "s")
    emit("bench.scheduler.large.first_solution_seconds", round(f["first"] or -1, 3), "s")
    emit(
        "bench.scheduler.large.weight",
        f["weight"],
        "weight",
        f["weight_bound"],
        "(proven upper bound)",
    )
    emit("bench.scheduler.large.plain_weight", plain["weight"], "weight", f["weight"], "(ours)")
    # Breaks compare only at the same weight: a plain model stuck at a lower weight has
    # fewer meetings, hence fewer breaks, and is no baseline then.
    reached = plain["weight"] == f["weight"]
    emit("bench.scheduler.large.plain_breaks", plain["breaks"], "breaks")
    emit(
        "bench.scheduler.large.breaks",
        f["breaks"],
        "breaks",
        plain["breaks"] if reached else None,
        "(plain CP-SAT model at the same weight, same run)",
    )
    if not reached:
        print(f"# plain model reached weight {plain['weight']} of {f['weight']}", flush=True)
    # And against the plain model of the break phase alone, given exactly our meetings and
    # the whole time limit: a baseline at the same weight even when the plain model above
    # does not reach it.
    same, _ = run_child("plain-same", LIMIT)
    emit(
        "bench.scheduler.large.breaks_vs_plain_break_model",
        f["breaks"],
        "breaks",
        same["breaks"],
        "(plain CP-SAT break model given our meetings, same run)",
    )
    print(f"# plain break model at our meetings: {same['status']}", flush=True)
    emit("bench.scheduler.large.peak_memory", round(peak, 1), "MB")
    r, _ = run_child("replan", LIMIT)
    if r["errors"]:
        print(f"INVALID replan: {r['errors'][:3]}", flush=True)
        return False
    emit(
        "bench.scheduler.replan.moved",
        r["moved"],
        "meetings",
        r["previous"],
        "(previous meetings kept)",
    )
    emit("bench.scheduler.replan.breaks", r["breaks"], "breaks")
    print(f"# replan: {r['gone']} delegates left; {r['status']}", flush=True)
    return True


def main() -> int:
    # BENCH_SCHEDULER_ONLY=large runs only the large case and the re-planning.
    ok = os.environ.get("BENCH_SCHEDULER_ONLY") == "large" or bench_published()
    if ok and os.environ.get("BENCH_SCHEDULER_VARIANTS"):
        ok = bench_variants()
    ok = ok and bench_large()
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.path.insert(0, str(REPO))
        child(sys.argv[2], float(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
