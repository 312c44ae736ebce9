"""Bar charts as inline SVG, drawn on the server: no script, no stylesheet of their own.

The markup is built with format_html, so every label and summary is escaped; colours and
type come from classes that static/css/chancery.css styles (so dark mode and print apply,
and a Content Security Policy without inline styles allows them). The chart is one image
to assistive technology (role="img", named by its <title>): pages give its numbers in a
table beside it.
"""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320
HEIGHT = 150
# Room for the count labels on the left and the period labels below.
LEFT, RIGHT, TOP, BOTTOM = 28, 6, 10, 22
MAX_TICKS = 4


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def bar_chart(
    data: list[tuple[str, int]],
    *,
    summary: str,
    chart_id: str,
    max_count: int | None = None,
    height: int = HEIGHT,
    unit: str = "article",
) -> SafeString:
    """One bar per (period label, count), in the order given.

    `summary` names the chart for screen readers and as its tooltip; `chart_id` must be
    unique on the page; `max_count` fixes the scale, so that small multiples compare.
    """
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM
    top = max([max_count or 0, *(count for _, count in data)]) or 1
    slot = plot_width / max(len(data), 1)
    bar_width = max(slot * 0.8, 1)
    # Label every nth bar, so that at most MAX_TICKS labels share the axis.
    every = max(math.ceil(len(data) / MAX_TICKS), 1)

    bars, ticks = [], []
    for i, (label, count) in enumerate(data):
        x = LEFT + i * slot + (slot - bar_width) / 2
        bar_height = plot_height * count / top
        if count:
            bars.append(
                (
                    _number(x),
                    _number(TOP + plot_height - bar_height),
                    _number(bar_width),
                    _number(bar_height),
                    f"{label}: {count} {unit}{'' if count == 1 else 's'}",
                )
            )
        if i % every == 0:
            ticks.append((_number(x + bar_width / 2), _number(height - 6), label))

    baseline = TOP + plot_height
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title>'
        '<line class="chart__grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart__count" x="{}" y="{}" text-anchor="end">{}</text>'
        '<line class="chart__axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart__count" x="{}" y="{}" text-anchor="end">0</text>'
        "{}{}</svg>",
        chart_id,
        WIDTH,
        height,
        chart_id,
        chart_id,
        summary,
        LEFT,
        WIDTH - RIGHT,
        TOP,
        TOP,
        LEFT - 4,
        TOP + 4,
        top,
        LEFT,
        WIDTH - RIGHT,
        baseline,
        baseline,
        LEFT - 4,
        baseline,
        format_html_join(
            "",
            '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
            bars,
        ),
        format_html_join("", '<text class="chart__label" x="{}" y="{}" text-anchor="middle">{}</text>', ticks),
    )
