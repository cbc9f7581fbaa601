"""Row builders for the archives' Excel and PDF outputs: the 卷内目录 of a volume."""

from django.utils import timezone

from linggao_pension import exports

from .models import Document, Volume

CATALOGUE_COLUMNS = [
    exports.Column("序号", 6), exports.Column("档号", 22), exports.Column("文件题名", 36), exports.Column("文件类型", 16),
    exports.Column("镇/农场", 12), exports.Column("保管期限", 8), exports.Column("归档日期", 12),
    exports.Column("纸质件存放位置", 18),
]


def download_name(document: Document) -> str:
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(document.mime_type, "bin")
    return f"{document.archive_no}.{ext}"


def catalogue_rows(volume: Volume):
    docs = volume.documents.select_related("doc_type", "town").order_by("item_no")
    for i, d in enumerate(docs.iterator(chunk_size=500), start=1):
        yield [
            i, d.archive_no, d.title, d.doc_type.name, d.town.name, d.get_retention_display(),
            timezone.localtime(d.uploaded_at).date(), d.custody_location or volume.custody_location,
        ]


def _heading(volume: Volume) -> list[str]:
    return [
        f"卷内目录 · 案卷 {volume.code} {volume.title}",
        f"年度 {volume.year} · 类别 {volume.get_category_display()} · 保管期限 {volume.get_retention_display()}"
        f" · 存放位置 {volume.custody_location or '—'}",
    ]


def catalogue_xlsx(volume: Volume) -> bytes:
    wb = exports.new_workbook()
    exports.add_sheet(wb, "卷内目录", CATALOGUE_COLUMNS, catalogue_rows(volume), heading_lines=_heading(volume))
    return exports.workbook_bytes(wb)


def catalogue_pdf(volume: Volume) -> bytes:
    return exports.render_pdf(
        "archives/catalogue_pdf.html",
        {"volume": volume, "heading": _heading(volume), "columns": [c.title for c in CATALOGUE_COLUMNS],
         "rows": list(catalogue_rows(volume)), "printed_at": timezone.localtime()},
    )
