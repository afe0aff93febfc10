"""Annotated passages and search matches: distinct in every theme and under NO_COLOR, readable (contrast >= 4.5:1)."""

from __future__ import annotations

from newsdesk.tui.app import NewsdeskApp
from rich.color import Color
from rich.style import Style

from tests.tui.conftest import settle


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio."""
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


async def test_annotation_and_match_highlights_differ_and_read_well_in_every_theme(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = demo_app.main.reader
        for theme in sorted(demo_app.available_themes):
            demo_app.theme = theme
            await pilot.pause()
            styles: dict[str, Style] = {}
            for name in ("reader--annotation", "reader--annotation-current", "reader--hit"):
                styles[name] = reader.get_component_rich_style(name)
            for name in ("reader--annotation", "reader--annotation-current"):
                style = styles[name]
                assert style.color is not None and style.bgcolor is not None, (theme, name)
                assert contrast(style.color, style.bgcolor) >= 4.5, (theme, name)
                assert style.underline  # told apart from matches without any colour (NO_COLOR)
            annotation, hit = styles["reader--annotation"], styles["reader--hit"]
            assert annotation.bgcolor != hit.bgcolor, theme
            assert annotation.underline != bool(hit.underline), theme
