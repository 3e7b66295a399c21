"""Small building blocks: text in any tag, stat tiles, badges, native HTML tables."""

from __future__ import annotations

from collections.abc import Sequence

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement


def text(tag: str, content: str, classes: str = "") -> TextElement:
    """``<tag class=...>content</tag>``: semantic headings, cells and spans with searchable text."""
    return TextElement(tag=tag, text=content).classes(classes)


def heading(content: str, level: int = 2) -> TextElement:
    return text(f"h{level}", content, "oa-page-title" if level <= 2 else "oa-section-title")


def stat(label: str, value: str, tone: str = "") -> None:
    """A labelled value; ``tone`` is a CSS class (``oa-pos``, ``oa-neg``, ``oa-warn``...)."""
    with ui.column().classes("gap-0"):
        text("span", label, "oa-label")
        text("span", value, f"oa-value {tone}".strip())


def tone_of(value: float | None) -> str:
    if value is None or value == 0:
        return ""
    return "oa-pos" if value > 0 else "oa-neg"


def badge(content: str, tone: str = "oa-cyan", aria: str | None = None) -> TextElement:
    element = text("span", content, f"oa-badge {tone}")
    if aria:
        element.props(f'aria-label="{aria}"')
    return element


def table(
    caption: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    empty: str = "nothing yet",
    tones: Sequence[Sequence[str]] | None = None,
) -> None:
    """A native ``<table>`` with a caption and column headers (screen-reader friendly, scrolls on phones)."""
    with ui.element("div").classes("oa-scroll"):
        if not rows:
            text("p", f"{caption}: {empty}", "oa-muted")
            return
        with ui.element("table").classes("oa-table").style("border-collapse: collapse"):
            text("caption", caption, "oa-section-title text-left q-pb-sm")
            with ui.element("thead"), ui.element("tr"):
                for column in columns:
                    text("th", column, "text-left q-px-sm").props('scope="col"')
            with ui.element("tbody"):
                for i, row in enumerate(rows):
                    with ui.element("tr").style("border-top: 1px solid var(--oa-grid)"):
                        for j, cell in enumerate(row):
                            tone = tones[i][j] if tones is not None else ""
                            text("td", cell, f"q-px-sm q-py-xs {tone}".strip())
