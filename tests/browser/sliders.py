"""Moving the dashboards' sliders in a real browser, and what must then hold (both front ends).

Each visible and enabled slider moved with the keyboard (focus, ArrowRight) changes the figure's
pixels, the first frame is already the final picture, fast moves end on the right picture, and
no error output or JavaScript error appears. Screenshots go to ``tests/browser/screenshots/``
(git-ignored).
"""

from __future__ import annotations

import io

import harness


def pixels(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB").tobytes()


def visible_slider_handles(page):
    handles = page.locator(f"{harness.DASHBOARD} {harness.SLIDER_HANDLE}")
    out = []
    for i in range(handles.count()):
        handle = handles.nth(i)
        disabled = handle.evaluate(
            "h => !!h.closest('.noUi-target[disabled]') || !!h.closest('.mod-disabled')"
        )
        if handle.is_visible() and not disabled:
            out.append(handle)
    return out


def move_every_slider(page, name: str, mode: str, screenshots, first_only: bool = False):
    before = harness.figure_png(page)
    (screenshots / f"{mode}-{name}-0-initial.png").write_bytes(before)
    handles = visible_slider_handles(page)
    assert handles, "no slider found in the dashboard"
    if first_only:  # the dashboard's Python side is the same in every front end: see the docstring
        handles = handles[:1]
    moved = []
    for i, handle in enumerate(handles):
        label = handle.evaluate(
            "h => h.closest('.widget-slider').querySelector('.widget-label').innerText"
        )
        latency = harness.press_and_time(page, handle)
        assert latency is not None, f"{name}: the figure did not change after moving '{label}'"
        harness.wait_idle(page, 1.6)  # past the dashboard's settling render (1 s of rest)
        # the first (blitted) frame must already be the final picture: no ghosts of earlier
        # states, nothing missing (the dashboard re-renders everything once the slider rests)
        assert harness.first_frame_is_final(page), (
            f"{name}: '{label}' frame differs from a full render"
        )
        after = harness.figure_png(page)
        assert pixels(after) != pixels(before), f"{name}: '{label}' left the figure unchanged"
        (screenshots / f"{mode}-{name}-{i + 1}-{label.strip()[:12]}.png").write_bytes(after)
        before = after
        moved.append((label, latency))
    # fast moves (frames may be dropped on the way) must end on the right picture: three
    # steps up and three down without waiting come back to exactly the same pixels
    handles[0].focus()
    for key in ["ArrowRight"] * 3 + ["ArrowLeft"] * 3:
        page.keyboard.press(key)
    harness.wait_idle(page, 2.5)
    final = harness.figure_png(page)
    (screenshots / f"{mode}-{name}-{len(handles) + 1}-fast-moves.png").write_bytes(final)
    assert pixels(final) == pixels(before), f"{name}: fast moves left a corrupted figure"
    page.screenshot(path=str(screenshots / f"{mode}-{name}-page.png"), full_page=True)
    errors = harness.error_outputs(page)
    assert errors == [], f"{name}: error output in the page: {errors}"
    assert page.console_errors == [], f"{name}: JavaScript errors: {page.console_errors}"
    return moved
