from django.conf import settings
from django.core.paginator import Page, Paginator

# Row-by-row results of an import (errors, warnings): a page holds this many, so a refused 100,000-row file
# renders a page of 1,000 rows, not 13 MB; the downloadable error list keeps every row.
RESULT_ROWS_PER_PAGE = 1000


def paginate_rows(request, rows: list, name: str = "page") -> tuple[list, Page]:
    """One page of a result list (?<name>=), as (the rows of the page, the page)."""
    page = Paginator(rows, RESULT_ROWS_PER_PAGE).get_page(request.GET.get(name))
    return list(page.object_list), page


def paginate(request, queryset, per_page: int | None = None) -> Page:
    """One page of a list, from ?page=; out-of-range pages show the last page."""
    return Paginator(queryset, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))
