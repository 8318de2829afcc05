"""The explorer notebooks in Voila (lecture mode: code hidden), in a real browser.

Every visible and enabled slider is moved and changes the figure (``sliders.move_every_slider``).
"""

from __future__ import annotations

import harness
import pytest
from sliders import move_every_slider


@pytest.mark.parametrize("name", harness.NOTEBOOKS)
def test_explorer_in_voila_lecture_mode(page, voila_server, screenshots, name):
    harness.open_in_voila(page, voila_server, name)
    # lecture mode hides the code
    assert "from course_utils.widgets import" not in page.inner_text("body")
    move_every_slider(page, name, "voila", screenshots)
