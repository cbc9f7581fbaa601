"""The go-live import of people already insured in the legacy system (历史数据导入): the parser is
enrollment.resident_import (columns, row errors); this is the one write, all or nothing, and its
job handler (the upload page and `manage.py import_residents` both run it as a JobRun)."""

from django.db import IntegrityError, transaction

from linggao_pension.db import create_with_history
from linggao_pension.imports import FileFormatError, ImportResult, RowError, import_job, read_rows
from linggao_pension.org.access import require_perm
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import job_start, jobrun_progress

from .. import resident_import
from ..models import Person
from .persons import insured_numbers_allocate

S = Person.Status
IMPORT_CHUNK = 2000
IMPORT_KIND = "import_residents"
IMPORT_PERM = "enrollment.import_persons"


def residents_import(*, file, by=None, job: JobRun | None = None) -> ImportResult:
    """Import the legacy registry from an xlsx file (resident_import.HEADERS), all or nothing.

    Every row is validated first; if any row is bad nothing is imported and every bad row is
    reported. A good file is inserted in one transaction, with history rows, as 正常参保.
    """
    try:
        rows = read_rows(file, resident_import.HEADERS)
    except FileFormatError as exc:
        return ImportResult(errors=[RowError(1, "", str(exc))])
    if not rows:
        return ImportResult(errors=[RowError(2, "", "文件中没有数据行")])
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    context = resident_import.ImportContext.load()
    persons, errors = resident_import.validate(rows, context)
    if errors:
        return ImportResult(errors=resident_import.sort_errors(errors), warnings=context.warnings)
    if job is not None:
        jobrun_progress(job=job, done=len(rows) // 2)
    try:
        with transaction.atomic():
            numbers = insured_numbers_allocate(count=len(persons))
            # Registered meanwhile (an approval or another import while we validated)?
            late = resident_import.registry_conflicts([(row, values["id_number"]) for row, values in persons])
            if late:
                raise _ImportRefused(late)
            objs = [
                Person(insured_no=number, status=S.CONTRIBUTING, **values)
                for (_, values), number in zip(persons, numbers, strict=True)
            ]
            create_with_history(Person, objs, key="insured_no", by=by, reason="历史数据导入", batch_size=IMPORT_CHUNK)
    except _ImportRefused as refused:
        return ImportResult(errors=resident_import.sort_errors(refused.errors))
    except IntegrityError:
        return ImportResult(errors=[RowError(2, "身份证号", "导入期间有人员被同时登记，未导入任何数据，请重新导入")])
    return ImportResult(imported=len(objs), warnings=context.warnings)


class _ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("import refused")
        self.errors = errors


def residents_import_start(*, upload, by) -> JobRun:
    """The upload page: a county clerk's file is stored with its job, which runs after commit."""
    require_perm(by, IMPORT_PERM, "您没有导入历史参保数据的权限")
    return job_start(kind=IMPORT_KIND, by=by, upload=upload)


def residents_import_job(*, job: JobRun, by, path: str = "", stored: str = "", filename: str = "") -> dict:
    """Job handler (the app's job_handlers["import_residents"]): linggao_pension.imports.import_job
    with this import's write service."""
    return import_job(job=job, path=path, stored=stored, run=lambda file: residents_import(file=file, by=by, job=job))
