"""The delegation scheduler's solver (see the package README's modelling insights).

`solve` / `solve_detailed` (phases.py) choose the method: the SAT portfolio (sat.py) when
every meeting is required, else CP-SAT in lexicographic phases (model.py, weight.py).
"""

from .analysis import Analysis, analyse, breaks_lower_bound, day_runs
from .phases import PhaseStats, SolveResult, solve, solve_detailed
from .weight import slot_groups

__all__ = [
    "Analysis",
    "PhaseStats",
    "SolveResult",
    "analyse",
    "breaks_lower_bound",
    "day_runs",
    "slot_groups",
    "solve",
    "solve_detailed",
]
