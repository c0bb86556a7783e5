"""The command line: solve, check, exit statuses, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from events.scheduling import check
from tests.scheduling.builders import (
    REPO,
    meeting,
    people,
    problem,
    slot,
    small_solved,
)

# --------------------------------------------------------------------- CLI


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "events.scheduling", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_solve_and_check(tmp_path: Path):
    pb, _ = small_solved()
    problem_file = tmp_path / "p.json"
    problem_file.write_text(json.dumps(pb))
    run = _cli("solve", str(problem_file), "--time-limit", "10", "--workers", "1")
    assert run.returncode == 0
    solution = json.loads(run.stdout)
    assert check(pb, solution) == []
    solution_file = tmp_path / "s.json"
    solution_file.write_text(run.stdout)
    assert _cli("check", str(problem_file), str(solution_file)).returncode == 0
    solution["objective"]["breaks"] += 1
    solution_file.write_text(json.dumps(solution))
    bad = _cli("check", str(problem_file), str(solution_file))
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[0].startswith("objective.breaks: reported")


def test_cli_malformed_problem_exits_2_naming_the_key(tmp_path: Path):
    pb = problem([slot("s1")], people("a", "b"), [meeting("m1", "a", "x")])
    path = tmp_path / "p.json"
    path.write_text(json.dumps(pb))
    run = _cli("solve", str(path))
    assert run.returncode == 2
    assert run.stderr == f"error: {path}: meetings[0].participants[1]: unknown participant 'x'\n"
    assert run.stdout == ""


def test_cli_invalid_json_and_missing_file_exit_2(tmp_path: Path):
    path = tmp_path / "p.json"
    path.write_text("{ not json")
    run = _cli("check", str(path), str(path))
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: {path}: invalid JSON:")
    assert "Traceback" not in run.stderr
    missing = _cli("solve", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    usage = _cli("solve")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr
