"""Stored uploads are served only here, through the project's one helper (linggao_pension.files):
the caller has fetched the record through the user's scope; the helper checks permission and town
again, logs the download and sends the file."""

from linggao_pension.files import serve_stored_file


def serve_stored(request, record, field, filename: str, *, town_id: int, perm: str):
    return serve_stored_file(request, record=record, field_file=field, filename=filename,
                             label=f"{record._meta.verbose_name} {filename}"[:100], perm=perm, town_id=town_id)
