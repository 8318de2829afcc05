"""What every dashboard shares: the figure, the controls, messages, caching, timing.

A dashboard owns ONE matplotlib figure and keeps references to its artists. When a control
moves, :meth:`Dashboard.refresh` calls the subclass's ``_update(changed, report)`` with the
names of the controls that changed; the subclass recomputes only what depends on them (via
:class:`Cache`), updates the artists' data and reports messages. Any exception is turned into
a message in the dashboard: a student never sees a traceback.

Figure back-ends (``backend=`` of every dashboard):

- ``"ipympl"``: the figure is an ipympl canvas widget (needs ipympl and a running kernel);
  a move re-renders only the artists that changed (blitting onto a cached background), the
  frame goes straight to the browser, clicks on the figure work;
- ``"image"``: the same figure rendered to PNG into an ``ipywidgets.Image`` (no ipympl);
- ``"agg"``: no widget for the figure (headless tests and the latency benchmark);
- ``"auto"`` (default): ``"ipympl"`` if possible, else ``"image"``.

Whatever the back-end, a displayed dashboard also carries a static PNG of its figure (drawn
off-screen with Agg) in the same output: JupyterLab and Voila show the live widget, a static
renderer (GitHub, nbviewer, a PDF, the course website) shows the picture.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import sys
import time
from collections import OrderedDict
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from ..plotting import FIGURE_DPI, MIN_FONT_SIZE, use_course_style
from ..plotting import trust_region as tdraw

__all__ = ["Dashboard", "Cache", "log_slider", "slider", "BACKENDS"]

BACKENDS = ("auto", "ipympl", "image", "agg")

#: message levels, in the order they are listed, with their colours
_LEVELS = {"error": "#b00020", "warning": "#8a5300", "info": "#1f4f7f"}

_figure_numbers = itertools.count(1000)


def _import_ipympl():
    """``ipympl.backend_nbagg``, imported without switching the user's backend.

    ``import ipympl`` calls ``matplotlib.use("module://ipympl.backend_nbagg")`` when matplotlib
    is loaded: every later ``plt.show()`` of a notebook on ``%matplotlib inline`` would become
    a widget (and its open figures would be closed). The dashboards only need the canvas
    class, so that call is skipped during the import.
    """
    if "ipympl.backend_nbagg" in sys.modules:
        return sys.modules["ipympl.backend_nbagg"]
    use = mpl.use
    mpl.use = lambda *args, **kwargs: None
    try:
        import ipympl.backend_nbagg as backend
    finally:
        mpl.use = use
    return backend


def _ipympl_available() -> bool:
    """ipympl importable and an IPython kernel running (a canvas widget needs a frontend)."""
    try:
        _import_ipympl()
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _make_figure(figsize, backend: str):
    """A figure in the course style and the widget that shows it (None for ``"agg"``)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is invalid; valid: one of {BACKENDS}")
    if backend == "auto":
        backend = "ipympl" if _ipympl_available() else "image"
    with mpl.rc_context():
        use_course_style()  # inside rc_context: the user's global rcParams stay untouched
        fig = Figure(figsize=figsize, layout="constrained")
    if backend == "ipympl":
        backend_nbagg = _import_ipympl()
        Canvas, FigureManager = backend_nbagg.Canvas, backend_nbagg.FigureManager

        canvas = Canvas(fig)
        FigureManager(canvas, next(_figure_numbers))  # handles the frontend's draw requests
        _send_complete_frames(canvas)
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_visible = False
        canvas.resizable = False
        canvas.capture_scroll = False
        return fig, canvas, backend
    FigureCanvasAgg(fig)
    if backend == "image":
        width, height = (int(round(v * fig.dpi)) for v in figsize)
        image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px"))
        return fig, image, backend
    return fig, None, backend


def _send_complete_frames(canvas):
    """Make an ipympl canvas send every frame complete (and quickly compressed).

    ipympl normally sends only the pixels that changed since the last frame ("diff" mode).
    When two frames arrive before the browser has decoded the first (fast slider moves), the
    browser drops the first and paints the second's difference onto the wrong picture:
    ghost circles and half-erased curves that stay until the next full frame. Complete frames
    make a dropped frame harmless; PNG level 1 keeps them as cheap as a diff at level 6.
    """
    from PIL import Image

    def get_complete_image():
        if not canvas._png_is_old:
            return None
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        canvas.set_image_mode("full")
        canvas._last_buff = pixels.view(np.uint32).squeeze(2).copy()
        canvas._force_full = False
        canvas._png_is_old = False
        with io.BytesIO() as png:
            Image.fromarray(pixels).save(png, format="png", compress_level=1)
            return png.getvalue()

    canvas.get_diff_image = get_complete_image


def draw_theta_plane(ax, bandit, grid, view, title):
    """The bandit's ``J(theta)`` shaded over ``grid`` x ``grid``, labelled and limited to ``view``.

    The backdrop of the trust-region and reparametrisation dashboards.
    """
    t1, t2 = np.meshgrid(grid, grid)
    J = bandit.expected_return(np.stack([t1, t2], axis=-1))
    tdraw.draw_objective(ax, t1, t2, J, levels=12, colorbar=False)
    tdraw.label_theta_axes(ax)
    ax.set_xlim(*view)
    ax.set_ylim(*view)
    for axis in (ax.xaxis, ax.yaxis):  # fixed ticks: the same in the live figure and its picture
        axis.set_major_locator(MultipleLocator(2.0))
    ax.set_title(title, fontsize=MIN_FONT_SIZE)


def slider(description, value, low, high, step, fmt=".2f", integer=False, **kwargs):
    """A linear slider with the course's layout (keyboard: arrows move one ``step``)."""
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    extra = {} if integer else {"readout_format": fmt}
    return cls(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=True,
        style={"description_width": "150px"},
        layout=widgets.Layout(width="390px"),
        **extra,
        **kwargs,
    )


def log_slider(description, value, low_exp, high_exp, step=0.25, fmt=".1e"):
    """A log-scale slider, ``10^low_exp .. 10^high_exp``, ``step`` in decades."""
    return widgets.FloatLogSlider(
        value=value,
        base=10.0,
        min=low_exp,
        max=high_exp,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=True,
        style={"description_width": "150px"},
        layout=widgets.Layout(width="390px"),
    )


class Cache:
    """A small least-recently-used cache for expensive grids, keyed by the settings."""

    def __init__(self, maxsize: int = 32):
        self._data: OrderedDict = OrderedDict()
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0

    def get(self, key, compute):
        """``compute()`` once per ``key``; later calls return the stored value."""
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]
        self.misses += 1
        value = compute()
        self._data[key] = value
        if len(self._data) > self.maxsize:
            self._data.popitem(last=False)
        return value


class Dashboard:
    """Base class: one figure, named controls, a message area, in-place updates.

    Subclasses set ``title``, ``figsize``, ``columns`` and ``dynamic_controls``, return the
    controls (name -> widget) from ``_make_controls()``, draw the artists in ``_build()`` (the
    ones that move go in ``self.dynamic``) and implement ``_update(changed, report)``.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    controls : dict of str -> ipywidgets widget
    messages : list of (level, text)
        What the message area shows now; level is "error", "warning" or "info".
    last_update_seconds : float
        Python-side time of the last refresh, from the value change to the figure drawn.
    """

    title = "dashboard"
    figsize = (9.0, 4.6)
    #: seconds of rest after a blitted move before one full render (ipympl only; a safety net
    #: that never competes with an ongoing interaction: every move postpones it)
    settle_delay = 1.0
    #: controls that move only the dynamic artists: the figure is then redrawn by blitting
    #: them onto the cached background instead of rendering everything again
    dynamic_controls: frozenset = frozenset()
    #: controls shown in the first and the second column under the figure
    columns: tuple = ((), ())

    def _initial_values(self, defaults: dict) -> dict:
        """``defaults`` updated with the start values given to the constructor (``self._initial``).

        Raises ``ValueError`` naming any value that is not one of the dashboard's controls.
        """
        unknown = sorted(set(self._initial) - set(defaults))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; valid: {sorted(defaults)}")
        return {**defaults, **self._initial}

    def __init__(self, backend: str = "auto"):
        self.fig, self._figure_widget, self.backend = _make_figure(self.figsize, backend)
        self.controls: dict = {}
        self.messages: list = []
        self.last_update_seconds = float("nan")
        self._suspended = 0
        self._pending: set = set()
        self._message_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self._summary_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self._summary_html.add_class("cu-dashboard-summary")
        self.summary = ""
        self._readout_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self._message_html.add_class("cu-dashboard-message")
        self._readout_html.add_class("cu-dashboard-readout")
        self.readout: list = []
        self.dynamic: list = []  # artists redrawn by blitting (set in _build)
        self._background = None
        self._background_key = None
        self._settle_handle = None
        self.controls = self._make_controls()
        with mpl.rc_context():
            use_course_style()
            self._build()
            for artist in self.dynamic:
                artist.set_animated(True)
            self.refresh(set(self.controls), draw=False)
            self.fig.draw_without_rendering()  # constrained layout once ...
        self.fig.set_layout_engine("none")  # ... then frozen: redraws skip the layout solver
        self.fig.canvas.mpl_connect("draw_event", self._on_draw_event)
        for name, control in self.controls.items():
            control.observe(self._on_change, names="value")
            control.add_class(f"cu-control-{name}")
        self.widget = self._layout()
        self._draw(full=True)
        self.widget.add_class("cu-dashboard")

    # --- to be provided by subclasses --------------------------------------------------------

    def _make_controls(self) -> dict:  # pragma: no cover - abstract
        """The controls, name -> widget, with the initial values."""
        raise NotImplementedError

    def _build(self):  # pragma: no cover - abstract
        """Draw the figure's artists (in ``self.fig``) and list the dynamic ones."""
        raise NotImplementedError

    def _update(self, changed: set, report):  # pragma: no cover - abstract
        raise NotImplementedError

    # --- control plumbing ---------------------------------------------------------------------

    def _name_of(self, owner) -> str:
        for name, control in self.controls.items():
            if control is owner:
                return name
        return "?"

    def _on_change(self, change):
        name = self._name_of(change["owner"])
        if self._suspended:
            self._pending.add(name)
            return
        self.refresh({name})

    @contextmanager
    def hold(self):
        """Change several controls and redraw once at the end: ``with dash.hold(): ...``."""
        self._suspended += 1
        try:
            yield self
        finally:
            self._suspended -= 1
            if not self._suspended and self._pending:
                changed, self._pending = self._pending, set()
                self.refresh(changed)

    def set(self, **values):
        """Set controls by name (one redraw), e.g. ``dash.set(eps=0.1, k0=-1.0)``."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; valid: {sorted(self.controls)}")
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value
        return self

    def value(self, name: str):
        """Current value of the control ``name``."""
        return self.controls[name].value

    # --- refresh: update artists, show messages, draw ----------------------------------------

    def refresh(self, changed=None, draw: bool = True):
        """Recompute what depends on ``changed`` (control names; all if None) and redraw."""
        start = time.perf_counter()
        changed = set(self.controls) if changed is None else set(changed)
        messages = []

        def report(level, text):
            messages.append((level, text))

        try:
            self._update(changed, report)
            if draw:
                self._draw(full=not changed <= self.dynamic_controls)
        except Exception as err:  # the dashboard must never show a traceback
            report(
                "error",
                f"Internal error ({type(err).__name__}: {err}). The figure may be out of date; "
                "please report this setting to the course maintainers.",
            )
        order = list(_LEVELS)
        self.messages = sorted(messages, key=lambda m: order.index(m[0]))
        self._message_html.value = self._messages_html()
        self.last_update_seconds = time.perf_counter() - start

    def _messages_html(self) -> str:
        if not self.messages:
            return ""

        def internal(text):  # a bug, not a bad setting: the browser tests look for it
            return " cu-msg-internal" if text.startswith("Internal error") else ""

        items = "".join(
            f'<div class="cu-msg cu-msg-{level}{internal(text)}" style="color:{_LEVELS[level]};'
            f'border-left:4px solid {_LEVELS[level]};padding:2px 8px;margin:2px 0">'
            f"<b>{level.capitalize()}:</b> {html.escape(text)}</div>"
            for level, text in self.messages
        )
        return f'<div style="font-size:14px;line-height:1.35">{items}</div>'

    def set_summary(self, text: str):
        """One line above the figure (HTML, so no figure text has to be rendered again)."""
        self.summary = text
        self._summary_html.value = (
            f'<div style="font-size:16px;font-weight:600;margin:2px 0 0 60px">'
            f"{html.escape(text)}</div>"
        )

    def set_readout(self, rows):
        """Show ``rows`` (a list of (label, value-text)) as a small table under the controls."""
        self.readout = list(rows)
        body = "".join(
            f'<tr><td style="padding:1px 10px 1px 0">{html.escape(label)}</td>'
            f'<td style="padding:1px 0;font-family:monospace">{html.escape(text)}</td></tr>'
            for label, text in rows
        )
        self._readout_html.value = f'<table style="font-size:14px">{body}</table>'

    def _on_draw_event(self, event):
        """After every full render: keep it as the background, then add the dynamic artists."""
        canvas = self.fig.canvas
        if event is not None and event.renderer is not getattr(canvas, "renderer", None):
            return  # a render elsewhere (savefig, layout): the canvas's pixels are not it
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._background_key = self._canvas_key()
        for artist in self.dynamic:
            self.fig.draw_artist(artist)

    def _canvas_key(self):
        return (self.fig.canvas.get_width_height(physical=True), self.fig.dpi)

    def _settle_later(self):
        """ipympl: one full render once the controls rest (a safety net under the blits)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (headless use): nothing to schedule
            return
        if self._settle_handle is not None:
            self._settle_handle.cancel()
        self._settle_handle = loop.call_later(self.settle_delay, self._settle)

    def _settle(self):
        self._settle_handle = None
        try:
            self.fig.canvas.draw()
        except Exception:  # pragma: no cover - a failed safety net must not raise in the loop
            pass

    def _draw(self, full: bool = True):
        """Render the figure: everything (``full``) or the dynamic artists on the background."""
        canvas = self.fig.canvas
        if self.backend == "ipympl" and getattr(canvas, "syncing_data_url", False):
            # no browser view yet: it asks for the first frame when it connects (drawing now
            # would store a frame without its "data:" prefix, which breaks the view)
            canvas.draw_idle()
            return
        if full or self._background is None or self._background_key != self._canvas_key():
            # ipympl: draw now rather than draw_idle(), whose request the browser ignores while
            # it waits for an image (the last state would then never be shown)
            canvas.draw()  # the draw event stores the background and draws the dynamic artists
            if self.backend == "ipympl":
                return
        else:
            canvas.restore_region(self._background)
            for artist in self.dynamic:
                self.fig.draw_artist(artist)
            if self.backend == "ipympl":
                canvas.blit(self.fig.bbox)  # ipympl sends the new frame right away
                self._settle_later()
                return
        if self.backend == "image":
            self._figure_widget.value = self.png()

    def png(self) -> bytes:
        """The figure as drawn now (background and dynamic artists), PNG-encoded."""
        from PIL import Image

        pixels = np.asarray(self.fig.canvas.buffer_rgba())
        with io.BytesIO() as buf:
            Image.fromarray(pixels).save(buf, format="png", compress_level=1)
            return buf.getvalue()

    def render_from_scratch(self):
        """The same figure, drawn the naive way: new figure, all math again, full render.

        What a plain ``interact`` callback that re-plots does on every move; the latency
        benchmark compares it with the in-place updates. The dashboard itself is untouched.

        Returns
        -------
        matplotlib.figure.Figure
            With an Agg canvas, already drawn.
        """
        import copy

        clone = copy.copy(self)  # shares the controls (their values), nothing else
        clone.backend = "agg"
        clone.dynamic = []
        for name, value in vars(self).items():
            if isinstance(value, Cache):
                setattr(clone, name, Cache(value.maxsize))  # no cached grids
        with mpl.rc_context():
            use_course_style()
            clone.fig = Figure(figsize=self.figsize, layout="constrained")
            FigureCanvasAgg(clone.fig)
            clone.set_summary = clone.set_readout = lambda *args: None
            clone._build()
            clone._update(set(self.controls), lambda level, text: None)
            clone.fig.canvas.draw()
        return clone.fig

    # --- layout and display ------------------------------------------------------------------

    def _layout(self):
        title = widgets.HTML(f'<h3 style="margin:4px 0">{html.escape(self.title)}</h3>')
        first, second = (
            widgets.VBox([self.controls[name] for name in column]) for column in self.columns
        )
        parts = [title, self._summary_html]
        if self._figure_widget is not None:
            self._figure_widget.add_class("cu-figure")
            parts.append(self._figure_widget)
        parts += [
            self._message_html,
            widgets.HBox([first, second], layout=widgets.Layout(flex_flow="row wrap")),
            self._readout_html,
        ]
        return widgets.VBox(parts, layout=widgets.Layout(width="100%"))

    def static_png(self) -> bytes:
        """The figure in its current state as a PNG, for readers without a running kernel.

        Drawn off-screen (Agg, :meth:`render_from_scratch`) at the course's ``FIGURE_DPI``;
        the live figure is untouched. Every displayed dashboard carries it
        (:meth:`_repr_mimebundle_`).

        Returns
        -------
        bytes
            PNG-encoded, ``figsize * FIGURE_DPI`` pixels, with its resolution in the file.
        """
        from PIL import Image

        fig = self.render_from_scratch()  # drawn once, with the layout the live figure has
        pixels = np.asarray(fig.canvas.buffer_rgba())
        with io.BytesIO() as buf:
            Image.fromarray(pixels).save(buf, format="png", dpi=(FIGURE_DPI, FIGURE_DPI))
            return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget's view, a stable text and a static PNG of the figure, in one output.

        JupyterLab and Voila render the widget view; GitHub, nbviewer, nbconvert and Sphinx
        (no widget state) fall back to ``image/png``; nbval compares ``text/plain`` only.
        """
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        # a stable text (the default repr lists every widget's state), so that notebooks
        # that show a dashboard still compare equal under nbval
        bundle["text/plain"] = (
            f"{self.title} (interactive: run the notebook in JupyterLab or Voila to use it)"
        )
        if (include is None or "image/png" in include) and not (exclude and "image/png" in exclude):
            bundle["image/png"] = base64.b64encode(self.static_png()).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.title}>"

    def close(self):
        """Close the widgets (the figure is garbage once the dashboard is)."""
        self.widget.close()
        for control in self.controls.values():
            control.close()
        if self._figure_widget is not None:
            self._figure_widget.close()
