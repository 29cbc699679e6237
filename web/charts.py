"""Server-rendered SVG charts (no JavaScript, nothing from a CDN): on-time rate per period."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 260, 44, 56, 16


def rate_chart(labels: Sequence[str], rates: Sequence[float | None], title: str) -> str:
    """A line of on-time rates (0–1; None: nothing due yet, not drawn) with a labelled axis and a text
    alternative for screen readers."""
    n = max(len(labels), 1)
    plot_w, plot_h = WIDTH - PAD_LEFT - 16, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(n - 1, 1)

    def x(i: int) -> float:
        return PAD_LEFT + (i * step if n > 1 else plot_w / 2)

    def y(rate: float) -> float:
        return PAD_TOP + plot_h * (1 - rate)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" class="chart"><title id="chart-title">{escape(title)}</title>'
    ]
    for pct in (0, 25, 50, 75, 100):
        yy = y(pct / 100)
        parts.append(f'<line x1="{PAD_LEFT}" y1="{yy:.1f}" x2="{WIDTH - 16}" y2="{yy:.1f}" class="grid"/>')
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" class="axis">{pct}%</text>')
    points = [(x(i), y(r)) for i, r in enumerate(rates) if r is not None]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" class="line"/>')
    for i, r in enumerate(rates):
        if r is not None:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(r):.1f}" r="4" class="dot"><title>{escape(labels[i])}: '
                f"{r * 100:.0f}%</title></circle>"
            )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - PAD_BOTTOM + 18}" text-anchor="end" class="axis" '
            f'transform="rotate(-35 {x(i):.1f} {HEIGHT - PAD_BOTTOM + 18})">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
