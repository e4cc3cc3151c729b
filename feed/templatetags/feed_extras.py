"""Template helpers for the feed pages: small filters and the topic sparkline."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from feed.services.browsing import Sparkline

register = template.Library()

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 28, 2


@register.filter
def is_in(value, container) -> bool:
    return value in (container or ())


@register.filter
def is_https(url: str) -> bool:
    """Only https images: the Content-Security-Policy refuses anything else."""
    return bool(url) and url.startswith("https://")


@register.filter
def first_clause(text: str) -> str:
    """The short description of a topic: its text up to the first semicolon."""
    return (text or "").split(";", 1)[0].strip().rstrip(".")


@register.simple_tag
def sparkline(spark: Sparkline, name: str) -> SafeString:
    """An inline SVG of articles per day (presentation attributes only, so it
    passes the stylesheet-only Content-Security-Policy)."""
    counts = spark.counts
    days = len(counts)
    peak = max(spark.peak, 1)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(days - 1, 1)
    inner = SPARK_HEIGHT - 2 * SPARK_PAD
    points = [
        (SPARK_PAD + i * step, SPARK_PAD + inner - inner * n / peak)
        for i, n in enumerate(counts)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    bottom = SPARK_HEIGHT - SPARK_PAD
    area = f"{SPARK_PAD:.1f},{bottom} {line} {points[-1][0]:.1f},{bottom}"
    noun = "story" if spark.total == 1 else "stories"
    label = (
        f"{name}: {spark.total} {noun} in the last {days} days, "
        f"at most {spark.peak} a day"
    )
    return format_html(
        '<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{label}"><title>{label}</title>'
        '<polygon points="{area}" fill="currentColor" fill-opacity="0.15"/>'
        '<polyline points="{line}" fill="none" stroke="currentColor" '
        'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/></svg>',
        w=SPARK_WIDTH,
        h=SPARK_HEIGHT,
        label=label,
        area=area,
        line=line,
    )
