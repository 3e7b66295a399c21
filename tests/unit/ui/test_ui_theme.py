"""Theme: WCAG AA contrast of every text colour pair, offline CSS, reduced motion; formatting; charts."""

from __future__ import annotations

import re

import pytest
from openalpha.ui import theme
from openalpha.ui.components import fmt
from openalpha.ui.components.charts import bar_colour, line_chart, utilisation_bars


def test_contrast_formula_matches_known_values() -> None:
    assert theme.contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert theme.contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic AA near-miss


@pytest.mark.parametrize("name", sorted(theme.TEXT_PAIRS))
def test_every_text_colour_meets_wcag_aa(name: str) -> None:
    foreground, background = theme.TEXT_PAIRS[name]
    assert theme.contrast(foreground, background) >= 4.5, name


def test_purple_is_too_dark_for_text_so_it_is_not_a_text_colour() -> None:
    assert theme.contrast(theme.PALETTE["purple"], theme.PALETTE["bg"]) < 4.5
    assert theme.PALETTE["purple"] not in {fg for fg, _ in theme.TEXT_PAIRS.values()}


def test_stylesheet_is_offline_animated_and_honours_reduced_motion() -> None:
    css = theme.THEME_CSS.read_text()
    assert "http://" not in css and "https://" not in css and "url(" not in css  # nothing fetched
    assert "@keyframes" in css and "animation:" in css
    reduced = css[css.index("@media (prefers-reduced-motion: reduce)") :]
    assert "animation: none" in reduced[: reduced.index("}\n}") + 3]
    for colour in ("#FF6B35", "#FF0000", "#FFB74D", "#00FFFF", "#9C27B0", "#00FF41"):
        assert colour in css
    assert "html.oa-hc" in css  # the high-contrast option
    assert "@media (max-width: 600px)" in css  # phones


def test_css_variables_match_the_palette() -> None:
    css = theme.THEME_CSS.read_text()
    declared = dict(re.findall(r"--oa-([a-z]+): (#[0-9A-F]{6});", css))
    for key in ("bg", "surface", "text", "muted", "fire", "cyan", "amber", "danger"):
        assert declared[key] == theme.PALETTE[key], key


def test_formatting() -> None:
    assert fmt.money(12345.678) == "12,345.68 USDT"
    assert fmt.signed_money(-3.5) == "-3.50 USDT"
    assert fmt.signed_money(3.5) == "+3.50 USDT"
    assert fmt.pct(0.01234) == "1.23 %"
    assert fmt.pct(float("nan")) == "—"
    assert fmt.money(None) == "—"
    assert fmt.ts(1_700_000_000_000) == "2023-11-14 22:13:20Z"
    assert fmt.ts(0) == "—"
    assert fmt.age(1_000, 1_000 + 90_000) == "1 min"
    assert fmt.age(None, 5) == "never"


def test_line_chart_options() -> None:
    options = line_chart("Equity", {"paper": [(1, 100.0), (2, 101.5)]}, percent=False)
    assert options["series"][0]["data"] == [[1, 100.0], [2, 101.5]]
    assert options["xAxis"]["type"] == "time"
    assert options["aria"]["enabled"] is True
    assert options["backgroundColor"] == "transparent"
    assert line_chart("R", {"x": [(1, 0.0123)]}, percent=True)["series"][0]["data"] == [[1, 1.23]]


def test_utilisation_bars_turn_red_at_the_limit() -> None:
    options = utilisation_bars("U", [("a", 0.2), ("b", 0.85), ("c", 1.3)])
    data = options["series"][0]["data"]
    assert [d["value"] for d in data] == [20.0, 85.0, 130.0]
    assert options["xAxis"]["max"] == pytest.approx(130.0)
    assert [d["itemStyle"]["color"] for d in data] == [bar_colour(0.2), bar_colour(0.85), bar_colour(1.3)]
    assert bar_colour(1.0) == theme.PALETTE["danger"] and bar_colour(0.1) == theme.PALETTE["ok"]
