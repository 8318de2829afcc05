"""The three-panel comparison of update rules on CartPole (notebook 08, section 7).

Draw only: the bands come from :func:`course_utils.practical.curve_band`, the first-reach
iterations from :func:`course_utils.evidence.first_reach`; the panels are those of
:mod:`course_utils.plotting.curves`, in the course's colours (vanilla blue, natural red,
TRPO dark red).

Used in ``notebooks/08_npg_on_cartpole.ipynb``.
"""

from __future__ import annotations

from .._validation import check_int, check_positive
from . import TRUST_REGION, new_figure
from .curves import plot_first_reach, plot_learning_curves

__all__ = ["plot_training_comparison"]


def plot_training_comparison(
    returns: dict, kls: dict, levels, reach: dict, *, delta: float, batch_steps: int, n_runs: int
):
    """Learning curves, per-update KL and first-reach iterations of each rule, side by side.

    Left: mean return over the runs with its band, against iterations, with the 500-step cap of
    ``CartPole-v1``. Middle: the sampled KL of every update (log axis) against the KL radius
    ``delta``. Right: the first iteration at which each rule's mean curve reaches each return
    level.

    Parameters
    ----------
    returns : dict of str to CurveBand
        Rule name (``"vanilla"``, ``"natural_cg"``, ``"trpo"``) -> band of the returns over the
        runs, ``curve_band(returns, spread="minmax")``.
    kls : dict of str to CurveBand
        Rule name -> band of the sampled KL of each update (positive values: log axis).
    levels : sequence of float
        Return levels of the right panel, e.g. ``100, 125, ..., 475``.
    reach : dict of str to sequence of (int or None)
        Rule name -> first iteration per level (None: never reached, not drawn).
    delta : float
        The KL radius of the natural rules, drawn as a reference line; > 0.
    batch_steps : int
        Environment steps per iteration (``n_envs * n_steps``), >= 1, for the x label.
    n_runs : int
        Number of runs behind each band, >= 1, for the title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``delta <= 0`` (or not finite), or ``batch_steps`` or ``n_runs`` is not an
        integer >= 1.
    """
    delta = float(check_positive(delta, "delta"))
    batch_steps, n_runs = check_int(batch_steps, "batch_steps"), check_int(n_runs, "n_runs")
    fig, axes = new_figure(3, 1, width=19, height=5.2)
    left, middle, right = axes[0]
    plot_learning_curves(
        left,
        returns,
        ylabel="return (episode length)",
        reference=500,  # CartPole-v1 truncates an episode after 500 steps
        reference_label="cap: 500 steps",
        title=f"CartPole-v1, {n_runs} runs",
        xlabel=f"iteration ({batch_steps} env steps each)",
    )
    plot_learning_curves(
        middle,
        kls,
        ylabel=r"sampled KL of the update, $\bar D$",
        log=True,
        reference=delta,
        reference_label=rf"$\delta = {delta:g}$",
        reference_color=TRUST_REGION,
        title="how far each update moves the policy",
    )
    plot_first_reach(right, levels, reach, title="how soon each return level is reached")
    return fig
