"""Command line: `python -m events.scheduling solve|check ...` (see README.md).

Exit status: 0 done / valid, 1 solution invalid, 2 unusable input (malformed problem,
unreadable or invalid JSON, bad arguments), always with a one-line message, no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .checker import check
from .problem import ProblemError, load_problem
from .solver import solve


class _InputError(Exception):
    pass


def _read_json(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _InputError(
            f"{path}: cannot read: {exc.strerror if isinstance(exc, OSError) else exc}"
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _InputError(
            f"{path}: invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m events.scheduling",
        description="Delegation meeting scheduler (forum-schedule/1).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_solve = sub.add_parser("solve", help="solve PROBLEM.json, print the solution JSON")
    p_solve.add_argument("problem")
    p_solve.add_argument("--time-limit", type=float, default=30.0, metavar="SECONDS")
    p_solve.add_argument("--workers", type=int, default=2, metavar="N")
    p_solve.add_argument("--seed", type=int, default=0, metavar="N")
    p_check = sub.add_parser("check", help="validate SOLUTION.json against PROBLEM.json")
    p_check.add_argument("problem")
    p_check.add_argument("solution")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # usage errors exit 2 (argparse's convention)
    try:
        problem = load_problem(_read_json(args.problem))
        if args.command == "solve":
            if args.time_limit <= 0 or args.workers < 1:
                raise _InputError("--time-limit must be > 0 and --workers >= 1")
            solution = solve(
                problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed
            )
            json.dump(solution, sys.stdout, indent=1)
            sys.stdout.write("\n")
            return 0
        solution = _read_json(args.solution)
    except ProblemError as exc:
        print(f"error: {args.problem}: {exc}", file=sys.stderr)
        return 2
    except _InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    errors = check(problem, solution)
    for error in errors:
        print(error)
    if errors:
        return 1
    print(
        f"valid: {solution.get('status')}, {len(solution.get('scheduled', []))} meetings scheduled"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
