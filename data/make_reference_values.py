"""Regenerate ``data/reference_values.json``: the numbers that tests and notebooks share.

Run from the repository root: ``python data/make_reference_values.py``. Everything is
computed from ``course_utils`` closed forms (no sampling), so the file is reproducible
bit-for-bit up to floating-point noise; ``tests/test_reference_values.py`` recomputes it and
compares. No pickles: plain JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from course_utils import natural
from course_utils.gaussian import LinearGaussianLQR, optimal_gain
from course_utils.mdp import PLATEAU_START, average_reward, sigmoid_theta, two_state_mdp

PATH = Path(__file__).with_name("reference_values.json")

#: the settings of MATH.md section 3
SETTINGS = {
    "peters": {"q": 1.0, "R": 0.1, "gamma": 0.9, "s0_mean": 0.3, "s0_var": 1e-4},
    "lecture": {"q": 1.0, "R": 1.0, "gamma": 0.9, "s0_mean": 0.3, "s0_var": 1e-4},
    "no_action_cost": {"q": 1.0, "R": 0.0, "gamma": 0.9, "s0_mean": 0.3, "s0_var": 1e-4},
}

#: the published arrow figure's grid (Peters & Schaal): k in [-1.7, -0.1], sigma in (0, 1]
FIGURE_GRID = {
    "k_min": -1.7,
    "k_max": -0.1,
    "n_k": 17,
    "sigma_min": 0.05,
    "sigma_max": 1.0,
    "n_sigma": 20,
}


def _points(lqr: LinearGaussianLQR, points) -> list[dict]:
    rows = []
    for k, sigma in points:
        rows.append(
            {
                "k": k,
                "sigma": sigma,
                "J": float(lqr.expected_return(k, sigma)),
                "gradient": lqr.gradient(k, sigma).tolist(),
                "natural_gradient": lqr.natural_gradient(k, sigma).tolist(),
                "angle_vanilla_deg": float(lqr.angle_to_optimum(k, sigma, lqr.gradient(k, sigma))),
                "angle_natural_deg": float(
                    lqr.angle_to_optimum(k, sigma, lqr.natural_gradient(k, sigma))
                ),
            }
        )
    return rows


def _erratum1_range(lqr: LinearGaussianLQR, eps: float = 0.01) -> dict:
    """1/2 d^T F d / eps with seed 002's step size sqrt(2 eps / g^T F g), over the figure grid."""
    g = FIGURE_GRID
    k, sigma = np.meshgrid(
        np.linspace(g["k_min"], g["k_max"], g["n_k"]),
        np.linspace(g["sigma_min"], g["sigma_max"], g["n_sigma"]),
    )
    grad, F = lqr.gradient(k, sigma), lqr.fisher_information(k, sigma)
    x = natural.natural_gradient(grad, F)
    gFg = np.einsum("...i,...ij,...j->...", grad, F, grad)
    d_wrong = np.sqrt(2 * eps / gFg)[..., None] * x
    ratio = 0.5 * np.einsum("...i,...ij,...j->...", d_wrong, F, d_wrong) / eps
    return {"eps": eps, "min_ratio": float(ratio.min()), "max_ratio": float(ratio.max())}


def compute() -> dict:
    """All reference values as a JSON-ready dict."""
    gains = {name: optimal_gain(s["q"], s["R"], s["gamma"]) for name, s in SETTINGS.items()}
    gains["lecture_undiscounted"] = optimal_gain(1.0, 1.0, 1.0)
    peters = LinearGaussianLQR(**SETTINGS["peters"])
    plateau = two_state_mdp()
    return {
        "settings": SETTINGS,
        "optimal_gain": gains,
        "figure_grid": FIGURE_GRID,
        "peters_points": _points(peters, [(-1.5, 0.2), (-0.5, 0.5), (-0.2, 0.5)]),
        "erratum1_wrong_step_ratio": _erratum1_range(peters),
        "plateau": {
            "start_p_stay": [0.8, 0.1],
            "start_logits": PLATEAU_START.tolist(),
            "start_average_reward": average_reward(plateau, sigmoid_theta(PLATEAU_START)),
        },
    }


def main() -> None:
    PATH.write_text(json.dumps(compute(), indent=2) + "\n")
    print(f"wrote {PATH.name}")


if __name__ == "__main__":
    main()
