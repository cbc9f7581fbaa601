"""Shared by the batch-job commands: record a JobRun, run it synchronously, print its result."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from linggao_pension.org.services import jobrun_create, jobrun_execute, system_user


def run_batch(command, *, kind: str, params: dict, as_json: bool, summary) -> dict:
    job = jobrun_create(kind=kind, by=system_user(), params=params)  # the commands run as the system
    try:
        job = jobrun_execute(job=job)
    except ValidationError as exc:
        raise CommandError("；".join(exc.messages)) from None
    if as_json:
        command.stdout.write(json.dumps(job.result, ensure_ascii=False))
    else:
        command.stdout.write(f"{summary(job.result)}（任务 #{job.pk}）")
    return job.result
