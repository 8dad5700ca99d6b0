"""The goal verdicts of a run, from its results (no timing: fixed figures in, verdicts out)."""

from __future__ import annotations

from bench.goals import judge_goals


def side(seconds: list[float], *, op: bool = True, rss: float = 20.0) -> dict:
    ordered = sorted(seconds)
    return {"median_s": ordered[len(ordered) // 2], "median_wall_s": ordered[len(ordered) // 2],
            "peak_rss_mib": rss,
            "runs": [{"op_s": s if op else None, "wall_s": s} for s in seconds]}


def comparison(engine: list[float], label: str, reference: list[float], **kw) -> dict:
    result = {"engine": side(engine, **kw), "references": {label: side(reference, op=False)}}
    ref = result["references"][label]
    ref["ratio"] = ref["median_s"] / result["engine"]["median_s"]
    return result


def test_each_goal_is_judged_against_its_target_with_its_spread() -> None:
    download = comparison([2.0, 1.0, 1.5], "curl file", [1.2, 1.4, 1.3])
    download["bytes"] = 2**30
    download["cli"] = side([1.6], op=False, rss=70.0)
    cli = {"version": comparison([0.05, 0.04], "python -c pass", [0.03], op=False),
           "explain": comparison([0.07, 0.08], "python -c pass", [0.03], op=False),
           "get_tiny": comparison([0.15, 0.19, 0.17], "curl", [0.1], op=False)}
    results = {"cases": {"download": {"vsftpd": download}, "cli": cli,
                         "parse": {"entries": 100_000, "repeat": 5,
                                   "mlsd": {"seconds": 0.08, "entries_per_second": 1_250_000}}}}
    goals = {goal["goal"]: goal for goal in judge_goals(results)}
    assert goals["1024 MiB download, vsftpd"]["met"] is False  # 1.3 / 1.5
    assert goals["1024 MiB download, vsftpd"]["engine"] == "1.500 s (1.000–2.000)"
    assert goals["ftp-inspector --version, whole process"]["met"] is True
    assert goals["ftp-inspector explain, whole process"]["met"] is False
    assert goals["ftp-inspector get of a 34-byte file, whole process"]["met"] is True  # 1.7×
    assert goals["peak RSS of ftp-inspector get, 1024 MiB from vsftpd"]["met"] is False
    parse = next(g for name, g in goals.items() if name.startswith("MLSD parser"))
    assert parse["met"] is True
    unmeasured = next(g for name, g in goals.items() if name.startswith("100,000-entry"))
    assert unmeasured["met"] is None


def test_the_comparison_goal_is_half_a_second() -> None:
    def goal(seconds: float) -> dict:
        results = {"cases": {"compare": {"entries_remote": 10_000, "entries_local": 10_000,
                                         "actions": 2_500, "seconds": seconds}}}
        return next(g for g in judge_goals(results) if g["goal"].startswith("comparison"))

    assert goal(0.159)["met"] is True and goal(0.159)["measured"] == "159 ms"
    assert goal(0.6)["met"] is False
    assert "10,000-entry" in goal(0.1)["goal"]


def test_installed_wheel_start_up_is_judged_beside_the_checkout() -> None:
    """The cli case's installed-wheel figures get their own three goals, each against
    the installed environment's own ``python -c pass`` and the same curl."""
    def cli(version: float, explain: float, get: float, floor: str) -> dict:
        return {"version": comparison([version], floor, [0.02], op=False),
                "explain": comparison([explain], floor, [0.02], op=False),
                "get_tiny": comparison([get], "curl", [0.05], op=False)}

    checkout = cli(0.045, 0.065, 0.15, "python -c pass")
    checkout["installed"] = {"venv": "/tmp/v", **cli(0.03, 0.05, 0.09,
                                                     "installed python -c pass")}
    goals = {g["goal"]: g for g in judge_goals({"cases": {"cli": checkout}})}
    assert goals["ftp-inspector explain, whole process"]["met"] is False
    assert goals["ftp-inspector explain, whole process, installed wheel"]["met"] is True
    installed_get = goals["ftp-inspector get of a 34-byte file, whole process, installed wheel"]
    assert installed_get["measured"] == "1.80× curl's time" and installed_get["met"] is True
    assert goals["ftp-inspector get of a 34-byte file, whole process"]["met"] is False
