"""Delegation meeting scheduler: pure Python (OR-Tools CP-SAT, python-sat), no Django.

Reads and writes the JSON contract `forum-schedule/1` (docs/scheduling-format.md):

    from events.scheduling import solve, check
    solution = solve(problem_dict, time_limit=30, workers=2, seed=0)
    assert check(problem_dict, solution) == []
"""

from .checker import check
from .problem import FORMAT, SOLUTION_FORMAT, Problem, ProblemError, load_problem
from .solver import SolveResult, solve, solve_detailed
from .solver.progress import Progress

__all__ = [
    "FORMAT",
    "SOLUTION_FORMAT",
    "Problem",
    "ProblemError",
    "Progress",
    "SolveResult",
    "check",
    "load_problem",
    "solve",
    "solve_detailed",
]
