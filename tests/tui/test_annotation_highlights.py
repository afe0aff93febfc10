"""Annotated passages and search matches: distinct in every theme and under NO_COLOR, readable (contrast >= 4.5:1)."""

from __future__ import annotations

from newsdesk.tui.app import NewsdeskApp
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.color import Color as TextualColor
from textual.filter import LineFilter, Monochrome, NoColor

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


ANNOTATED = "Sergei Naryshkin, who heads the SVR Foreign Intelligence Service"
MATCH_WORDS = {"launch", "pad", "launch pad"}


def _filters(app: NewsdeskApp) -> dict[str, LineFilter | None]:
    """Colour, and what reaches the terminal under NO_COLOR: Textual's rule (App.__init__) for this theme."""
    return {"colour": None, "NO_COLOR": NoColor() if app.current_theme.ansi else Monochrome()}


def _drawn(reader, line_filter: LineFilter | None) -> list[Segment]:  # type: ignore[no-untyped-def]
    """Every segment of the reader as drawn, after the filter the terminal's NO_COLOR adds."""
    segments: list[Segment] = []
    for y in range(reader.size.height):
        line = list(reader.render_line(y))
        segments += line if line_filter is None else line_filter.apply(line, TextualColor(0, 0, 0))
    return segments


async def test_drawn_annotation_and_match_differ_and_read_well_in_every_theme_and_under_no_color(
    demo_app: NewsdeskApp,
) -> None:
    """From the segments as drawn: annotated text and matched text never look alike, and read well."""
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"launch pad", "enter", "enter")
        await settle(pilot)
        main, reader = demo_app.main, demo_app.main.reader
        article = reader.article
        start = article.text.index(ANNOTATED)
        demo_app.library.annotations.add(article, start, start + len(ANNOTATED), ["evidence"], "")
        main.editor.load(article)
        await settle(pilot)
        assert reader.annotation_spans
        for theme in sorted(demo_app.available_themes):
            demo_app.theme = theme
            await pilot.pause()
            for mode, line_filter in _filters(demo_app).items():
                segments = _drawn(reader, line_filter)
                annotated = [s.style for s in segments if s.text.strip() and s.text in ANNOTATED and s.style]
                matched = [s.style for s in segments if s.text.lower() in MATCH_WORDS and s.style]
                assert annotated and matched, (theme, mode)
                for style in annotated:
                    assert not style.dim, (theme, mode)
                    if style.color is not None and not style.color.is_default:
                        assert style.bgcolor is not None, (theme, mode)
                        assert contrast(style.color, style.bgcolor) >= 4.5, (theme, mode, style)
                looks = {(bool(s.underline), bool(s.bold), bool(s.reverse)) for s in annotated}
                match_looks = {(bool(s.underline), bool(s.bold), bool(s.reverse)) for s in matched}
                # Told apart by text style alone, which no colour setting removes.
                assert not looks & match_looks, (theme, mode, looks, match_looks)
