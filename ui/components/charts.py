"""ECharts option builders themed "fire cybersigilism" (pure dicts; rendered by ``ui.echart``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openalpha.ui.theme import PALETTE, SERIES_COLOURS

Point = tuple[int, float]
_AXIS = {"lineStyle": {"color": PALETTE["grid"]}}
_LABEL = {"color": PALETTE["muted"]}


def _base(title: str) -> dict[str, Any]:
    return {
        "backgroundColor": "transparent",
        "color": list(SERIES_COLOURS),
        "title": {"text": title, "textStyle": {"color": PALETTE["text"], "fontSize": 14}, "left": 8},
        "aria": {"enabled": True, "decal": {"show": False}},
        "animation": False,
        "grid": {"left": 56, "right": 16, "top": 40, "bottom": 32, "containLabel": True},
        "tooltip": {
            "trigger": "axis",
            "backgroundColor": PALETTE["surface"],
            "textStyle": {"color": PALETTE["text"]},
        },
    }


def line_chart(title: str, series: dict[str, Sequence[Point]], *, percent: bool = False) -> dict[str, Any]:
    """Time series on a shared UTC time axis; one line per name (ms timestamps, values)."""
    options = _base(title)
    options["legend"] = {"top": 8, "right": 8, "textStyle": {"color": PALETTE["text"]}}
    options["xAxis"] = {"type": "time", "axisLine": _AXIS, "axisLabel": _LABEL, "splitLine": {"show": False}}
    options["yAxis"] = {
        "type": "value",
        "scale": True,
        "axisLine": _AXIS,
        "axisLabel": {**_LABEL, **({"formatter": "{value} %"} if percent else {})},
        "splitLine": {"lineStyle": {"color": PALETTE["grid"], "type": "dashed"}},
    }
    options["series"] = [
        {
            "name": name,
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"width": 2},
            "data": [[t, round(v * 100, 4) if percent else v] for t, v in points],
        }
        for name, points in series.items()
    ]
    return options


def utilisation_bars(title: str, rows: Sequence[tuple[str, float]]) -> dict[str, Any]:
    """Horizontal bars of utilisation (fraction of each limit); red from 100 %."""
    options = _base(title)
    options["tooltip"] = {**options["tooltip"], "trigger": "item"}
    options["xAxis"] = {
        "type": "value",
        "min": 0,
        "max": max([1.0, *[u for _, u in rows]]) * 100,
        "axisLabel": {**_LABEL, "formatter": "{value} %"},
        "splitLine": {"lineStyle": {"color": PALETTE["grid"], "type": "dashed"}},
    }
    options["yAxis"] = {
        "type": "category",
        "data": [n for n, _ in rows],
        "axisLabel": _LABEL,
        "axisLine": _AXIS,
    }
    options["series"] = [
        {
            "type": "bar",
            "data": [
                {
                    "value": round(u * 100, 2),
                    "itemStyle": {"color": bar_colour(u)},
                }
                for _, u in rows
            ],
            "markLine": {
                "symbol": "none",
                "data": [{"xAxis": 100}],
                "lineStyle": {"color": PALETTE["danger"], "type": "solid"},
                "label": {"color": PALETTE["text"], "formatter": "limit"},
            },
        }
    ]
    return options


def bar_colour(utilisation: float) -> str:
    if utilisation >= 1.0:
        return PALETTE["danger"]
    if utilisation >= 0.8:
        return PALETTE["fire"]
    if utilisation >= 0.5:
        return PALETTE["amber"]
    return PALETTE["ok"]
