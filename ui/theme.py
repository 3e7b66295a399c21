"""The "fire cybersigilism" identity: palette, Quasar colours and the local stylesheet.

Text colours are chosen for WCAG AA (4.5:1) on the page and card backgrounds; purple
(#9C27B0) is too dark for text on black, so it only draws lines, borders and glows.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
THEME_CSS = STATIC / "theme.css"
TITLE = "🔥 OPEN ALPHA"

PALETTE: dict[str, str] = {
    "bg": "#0B0A10",
    "surface": "#16141F",
    "text": "#F2EEF7",
    "muted": "#B9B2C9",
    "grid": "#3A3450",
    "fire": "#FF6B35",
    "red": "#FF0000",
    "amber": "#FFB74D",
    "cyan": "#00FFFF",
    "purple": "#9C27B0",
    "green": "#00FF41",
    "danger": "#FF5252",  # red readable as text on the dark surfaces
    "danger_bg": "#C62828",  # red behind white button text
    "ok": "#00FF41",
}
SERIES_COLOURS = ("#FF6B35", "#00FFFF", "#FFB74D", "#00FF41", "#CE93D8", "#FF5252")

# (foreground, background) pairs that carry text; tests check each reaches 4.5:1.
TEXT_PAIRS: dict[str, tuple[str, str]] = {
    "body": (PALETTE["text"], PALETTE["bg"]),
    "card": (PALETTE["text"], PALETTE["surface"]),
    "muted": (PALETTE["muted"], PALETTE["surface"]),
    "fire": (PALETTE["fire"], PALETTE["surface"]),
    "amber": (PALETTE["amber"], PALETTE["surface"]),
    "cyan": (PALETTE["cyan"], PALETTE["surface"]),
    "green": (PALETTE["green"], PALETTE["surface"]),
    "danger": (PALETTE["danger"], PALETTE["surface"]),
    "primary button": (PALETTE["bg"], PALETTE["fire"]),
    "danger button": ("#FFFFFF", PALETTE["danger_bg"]),
    "secondary button": (PALETTE["bg"], PALETTE["cyan"]),
}

QUASAR_COLOURS: dict[str, str] = {
    "primary": PALETTE["fire"],
    "secondary": PALETTE["cyan"],
    "accent": PALETTE["purple"],
    "dark": PALETTE["surface"],
    "dark_page": PALETTE["bg"],
    "positive": PALETTE["green"],
    "negative": PALETTE["danger_bg"],
    "warning": PALETTE["amber"],
    "info": PALETTE["cyan"],
}

# Applies the saved high-contrast choice before first paint (no flash).
HEAD_HTML = (
    "<script>try{if(localStorage.getItem('oa-hc')==='1')"
    "document.documentElement.classList.add('oa-hc')}catch(e){}</script>"
)
TOGGLE_HC_JS = (
    "(()=>{const on=document.documentElement.classList.toggle('oa-hc');"
    "try{localStorage.setItem('oa-hc',on?'1':'0')}catch(e){}return on})()"
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#RRGGBB``."""
    hex_ = colour.lstrip("#")
    r, g, b = (int(hex_[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
