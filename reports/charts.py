"""Charts drawn by the app itself as SVG (no external service, no script: the CSP allows them).

Only presentation attributes are used (no style attributes), and every label is escaped.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, PAD = 560, 180, 36


def _fmt(value) -> str:
    value = Decimal(value)
    if abs(value) >= 10000:
        return f"{value / 10000:,.1f}万"
    return f"{value:,.0f}"


def column_chart(points: list[tuple[str, object]], *, title: str) -> str:
    """Columns for a monthly series; a missing month (None) is left empty and marked 未生成."""
    values = [Decimal(v) for _, v in points if v is not None]
    top = max(values, default=Decimal(1)) or Decimal(1)
    n = max(len(points), 1)
    slot = (WIDTH - 2 * PAD) / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}"'
        f' class="chart">',
        f'<text x="{PAD}" y="14" font-size="12" fill="#333">{escape(title)}</text>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>',
    ]
    for i, (label, value) in enumerate(points):
        x = PAD + i * slot + slot * 0.15
        if value is None:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD - 4}" font-size="9" fill="#999">未生成</text>')
        else:
            h = float(Decimal(value) / top) * (HEIGHT - 2 * PAD - 10)
            y = HEIGHT - PAD - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="#3a6ea5">'
                         f'<title>{escape(label)}：{_fmt(value)}</title></rect>')
            parts.append(f'<text x="{x:.1f}" y="{y - 3:.1f}" font-size="8" fill="#333">{_fmt(value)}</text>')
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 12}" font-size="9" fill="#555">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(rows: list[tuple[str, int, int]], *, title: str, legend: tuple[str, str]) -> str:
    """Horizontal bars per town: the first value full, the second drawn over it."""
    row_h = 18
    height = PAD + row_h * len(rows) + 10
    top = max((r[1] for r in rows), default=1) or 1
    left, right = 100, WIDTH - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}"'
        f' class="chart">',
        f'<text x="4" y="14" font-size="12" fill="#333">{escape(title)}</text>',
        f'<rect x="{left}" y="20" width="10" height="8" fill="#9ec1e6"/><text x="{left + 14}" y="28" font-size="9">'
        f'{escape(legend[0])}</text>',
        f'<rect x="{left + 90}" y="20" width="10" height="8" fill="#2f5d8a"/><text x="{left + 104}" y="28" font-size="9">'
        f'{escape(legend[1])}</text>',
    ]
    for i, (label, a, b) in enumerate(rows):
        y = PAD + i * row_h
        wa = (right - left) * a / top
        wb = (right - left) * b / top
        parts += [
            f'<text x="4" y="{y + 12}" font-size="10" fill="#333">{escape(label)}</text>',
            f'<rect x="{left}" y="{y}" width="{wa:.1f}" height="13" fill="#9ec1e6"/>',
            f'<rect x="{left}" y="{y + 3}" width="{wb:.1f}" height="7" fill="#2f5d8a"/>',
            f'<text x="{left + wa + 4:.1f}" y="{y + 11}" font-size="9" fill="#333">{a:,} / {b:,}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))
