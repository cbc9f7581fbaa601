"""The line each job bench prints for bench/run's table: one JSON object per job after "JOB ",
its time and, where the job has one, its floor measured in the same run on the same data.

    from jobtable import report
    report("payroll generation, 60,000 lines", 5.4, floor=1.6, floor_what="one INSERT ... SELECT")
"""

import json

PREFIX = "JOB "
TARGET_RATIO = 2  # issue 10: every batch job within 2x its floor


def report(job: str, seconds: float, *, floor: float | None = None, floor_what: str = "") -> None:
    print(PREFIX + json.dumps({"job": job, "seconds": round(seconds, 3),
                               "floor": round(floor, 3) if floor is not None else None,
                               "floor_what": floor_what}, ensure_ascii=False), flush=True)


def parse(lines) -> list[dict]:
    return [json.loads(line[len(PREFIX):]) for line in lines if line.startswith(PREFIX)]
