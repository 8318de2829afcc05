"""The step-size and damping search behind notebook 08's settings (sections 6 and 7).

Notebook 08 uses vanilla eps = 1, natural / TRPO delta = 0.01 and damping lambda = 0.01 on
CartPole-v1 (50 iterations x 16 environments x 200 steps per run). This script is the search
that chose them, on seeds of its own (not the notebook's): every value of one setting, the
others fixed, over ``--runs`` runs (``course_utils.cartpole.train_runs``, all runs stepped as
one vector), and prints, per value, the final return (mean of the last 5 iterations) and the
mean return over the run, each as mean +- standard error over the runs.

    python data/tune_cartpole.py              # about 3 minutes on two cores
    python data/tune_cartpole.py --runs 40    # tighter standard errors

Training is chaotic (notebook 08, section 9): the per-value numbers change from machine to
machine, and only differences of several standard errors are findings.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from course_utils import cartpole as cp
from course_utils import evidence
from course_utils.practical import UpdateSettings

CHOSEN = UpdateSettings(eps=1.0, delta=0.01, damping=0.01)
SEARCHES = (
    ("vanilla", "eps", (1e-4, 1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0, 10.0)),
    ("natural_cg", "delta", (0.002, 0.005, 0.01, 0.02, 0.05, 0.1)),
    ("natural_cg", "damping", (1e-3, 1e-2, 1e-1)),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per value (default 20)")
    parser.add_argument("--seed", type=int, default=2024, help="master seed (default 2024)")
    args = parser.parse_args(argv)
    env_seed, action_seed = (
        int(s) for s in np.random.default_rng(args.seed).integers(2**31 - 16 * args.runs, size=2)
    )
    start = time.perf_counter()
    for method, field, values in SEARCHES:
        print(f"\n{method}, varying {field} ({args.runs} runs each; others as chosen):")
        print(f"  {field:>8s} | final return   | mean over the run | first iteration >= 300")
        for value in values:
            settings = dataclasses.replace(CHOSEN, **{field: value})
            runs = cp.train_runs(
                method,
                settings,
                np.random.default_rng(action_seed),
                env_seed,
                args.runs,
                vectorization_mode="vector_entry_point",
            )
            returns = np.stack([r.returns for r in runs])
            final, over = returns[:, -5:].mean(axis=1), returns.mean(axis=1)
            reach = evidence.first_reach(returns, 300.0)
            print(
                f"  {value:8g} | {final.mean():5.0f} +- {evidence.standard_error(final):3.0f}"
                f"    | {over.mean():5.0f} +- {evidence.standard_error(over):3.0f}"
                f"       | {'-' if reach is None else reach}"
            )
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
