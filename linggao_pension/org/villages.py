"""The village list (村/居委会名单): the all-or-nothing import, its job handler and its start."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from linggao_pension.imports import FileFormatError, ImportResult, RowError, read_rows

from . import village_import
from .models import JobRun, Town, Village
from .services import job_start, jobrun_progress

IMPORT_KIND = "org.import_villages"
CODE_DIGITS = 3  # a village's code is its town's code and three digits


def _assign_codes(planned: list[village_import.PlannedVillage]) -> list[Village]:
    """Codes for rows without one: the town's code and the next free three digits (after every code
    already used under that town, in the database or in the file)."""
    towns = {t.pk: t for t in Town.objects.filter(pk__in={p.town_id for p in planned})}
    used: dict[int, set[str]] = {pk: set() for pk in towns}
    for town_id, code in Village.objects.filter(town_id__in=towns).values_list("town_id", "code"):
        used[town_id].add(code)
    for p in planned:
        if p.code:
            used[p.town_id].add(p.code)
    out = []
    for p in planned:
        code = p.code
        if not code:
            prefix = towns[p.town_id].code
            numbers = [int(c[len(prefix):]) for c in used[p.town_id]
                       if c.startswith(prefix) and len(c) == len(prefix) + CODE_DIGITS and c[len(prefix):].isdigit()]
            number = max(numbers, default=0) + 1
            if number >= 10**CODE_DIGITS:
                raise ValidationError(f"{towns[p.town_id].name}的三位村级代码已用完，请在文件中填写区划代码")
            code = f"{prefix}{number:0{CODE_DIGITS}d}"
            used[p.town_id].add(code)
        out.append(Village(town_id=p.town_id, name=p.name, code=code))
    return out


def villages_import(*, file, by=None, job: JobRun | None = None) -> ImportResult:
    """Import the village list (village_import.HEADERS), all or nothing: any bad row and nothing is
    added, every error listed. Villages already present are skipped, so a rerun adds nothing twice."""
    try:
        rows = read_rows(file, village_import.HEADERS)
    except FileFormatError as exc:
        return ImportResult(errors=[RowError(1, "", str(exc))])
    if not rows:
        return ImportResult(errors=[RowError(2, "", "文件中没有数据行")])
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    try:
        with transaction.atomic():
            # One import at a time per town: a second one waits and then sees the first's villages.
            list(Town.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
            planned, skipped, errors = village_import.validate(rows)
            if errors:
                return ImportResult(errors=errors)
            villages = _assign_codes(planned)
            bulk_create_with_history(villages, Village, default_user=by, default_change_reason="村/居委会名单导入")
    except ValidationError as exc:
        return ImportResult(errors=[RowError(2, "区划代码", m) for m in exc.messages])
    except IntegrityError:
        return ImportResult(errors=[RowError(2, "", "导入期间名单被同时修改，未导入任何数据，请重新导入")])
    result = ImportResult(imported=len(villages))
    result.skipped = skipped
    return result


def villages_import_job(*, job: JobRun, by, path: str = "", stored: str = "", filename: str = "") -> dict:
    """Job handler (settings.JOB_HANDLERS["org.import_villages"]): a path (the command) or a stored
    upload (the page). A refused file fails the job with every bad row in its result."""
    if stored:
        with default_storage.open(stored, "rb") as file:
            result = villages_import(file=file, by=by, job=job)
    else:
        with open(path, "rb") as file:
            result = villages_import(file=file, by=by, job=job)
    data = result.as_dict() | {"skipped": getattr(result, "skipped", 0)}
    if not result.ok:
        JobRun.objects.filter(pk=job.pk).update(result=data, counts={"imported": 0, "errors": len(result.errors)})
        raise ValidationError(f"导入失败：发现 {len(result.errors)} 处错误，未导入任何数据")
    job.counts = {"imported": result.imported, "skipped": data["skipped"]}
    return data


def villages_import_start(*, by, upload) -> JobRun:
    if not by.has_perm("org.import_villages"):
        raise PermissionDenied("您没有导入村/居委会名单的权限")
    return job_start(kind=IMPORT_KIND, by=by, upload=upload)
