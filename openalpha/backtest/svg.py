"""Tiny inline-SVG charts for the offline HTML report (no JavaScript, no CDN)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from html import escape

import numpy as np

W, H, PAD = 900, 260, 44


def downsample(x: np.ndarray, y: np.ndarray, points: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """At most ``points`` samples, keeping each bucket's first/min/max/last so spikes survive."""
    n = len(x)
    if n <= points:
        return x, y
    edges = np.linspace(0, n, points // 4 + 1).astype(int)
    keep: list[int] = []
    for a, b in itertools.pairwise(edges):
        if b <= a:
            continue
        seg = y[a:b]
        ok = ~np.isnan(seg)
        picks = {a, b - 1}
        if ok.any():
            picks |= {a + int(np.nanargmin(seg)), a + int(np.nanargmax(seg))}
        keep.extend(sorted(picks))
    idx = np.array(keep)
    return x[idx], y[idx]


def _scale(values: np.ndarray, lo: float, hi: float, out_lo: float, out_hi: float) -> np.ndarray:
    span = hi - lo if hi > lo else 1.0
    return out_lo + (values - lo) / span * (out_hi - out_lo)


def _axes(y_lo: float, y_hi: float, x_labels: Sequence[str], fmt: str) -> str:
    parts = [
        f'<rect x="{PAD}" y="8" width="{W - PAD - 8}" height="{H - PAD - 8}" fill="#111" stroke="#444"/>'
    ]
    for i in range(5):
        v = y_lo + (y_hi - y_lo) * i / 4
        y = _scale(np.array([v]), y_lo, y_hi, H - PAD, 8)[0]
        parts.append(f'<line x1="{PAD}" x2="{W - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#2a2a2a"/>')
        parts.append(f'<text x="{PAD - 4}" y="{y + 4:.1f}" text-anchor="end">{format(v, fmt)}</text>')
    for i, label in enumerate(x_labels):
        x = PAD + (W - PAD - 8) * i / max(1, len(x_labels) - 1)
        parts.append(f'<text x="{x:.1f}" y="{H - PAD + 16}" text-anchor="middle">{escape(label)}</text>')
    return "".join(parts)


def line_chart(
    x: np.ndarray,
    series: dict[str, tuple[np.ndarray, str]],
    x_labels: Sequence[str],
    fmt: str = ",.0f",
    markers: Sequence[tuple[np.ndarray, np.ndarray, str, str]] = (),
    title: str = "",
) -> str:
    """Lines (name → (values, colour)) over the numeric axis ``x``; optional point markers
    (x, y, colour, shape ``up``/``down``)."""
    xs = np.asarray(x, dtype=np.float64)
    all_y = (
        np.concatenate([v for v, _ in series.values()] + [m[1] for m in markers]) if series else np.zeros(1)
    )
    finite = all_y[np.isfinite(all_y)]
    y_lo, y_hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    x_lo, x_hi = float(xs.min()), float(xs.max()) if len(xs) else (0.0, 1.0)
    out = [
        f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">',
        _axes(y_lo, y_hi, x_labels, fmt),
    ]
    legend_x = PAD + 8
    for name, (vals, colour) in series.items():
        dx, dy = downsample(xs, np.asarray(vals, dtype=np.float64))
        px = _scale(dx, x_lo, x_hi, PAD, W - 8)
        py = _scale(dy, y_lo, y_hi, H - PAD, 8)
        ok = np.isfinite(py)
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px[ok], py[ok], strict=True))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.3" points="{pts}"/>')
        out.append(f'<text x="{legend_x}" y="22" fill="{colour}">{escape(name)}</text>')
        legend_x += 9 * len(name) + 24
    for mx, my, colour, shape in markers:
        px = _scale(np.asarray(mx, dtype=np.float64), x_lo, x_hi, PAD, W - 8)
        py = _scale(np.asarray(my, dtype=np.float64), y_lo, y_hi, H - PAD, 8)
        for a, b in list(zip(px, py, strict=True))[:2000]:
            d = 5 if shape == "up" else -5
            out.append(f'<path d="M{a:.1f},{b:.1f} l-4,{d} l8,0 z" fill="{colour}"/>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str = "") -> str:
    """Horizontal bars (red for costs > 0, green for income < 0 are the caller's sign)."""
    h = 30 * len(labels) + 20
    top = max([abs(v) for v in values] + [1e-12])
    out = [f'<svg viewBox="0 0 {W} {h}" role="img" aria-label="{escape(title)}">']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 10 + 30 * i
        width = abs(value) / top * (W - 360)
        colour = "#FF6B35" if value > 0 else "#00FF41"
        out.append(f'<text x="10" y="{y + 15}">{escape(label)}</text>')
        out.append(f'<rect x="200" y="{y}" width="{width:.1f}" height="20" fill="{colour}"/>')
        out.append(f'<text x="{205 + width:.1f}" y="{y + 15}">{value:,.2f}</text>')
    out.append("</svg>")
    return "".join(out)


__all__ = ["bar_chart", "downsample", "line_chart"]
