"""Time to get the natural direction: conjugate gradient on Fisher-vector products vs dense F.

A linear softmax policy ``pi(a | x) = softmax(x^T theta)`` with ``d`` features and ``A``
actions has ``n = d A`` parameters (2000 by default). From ``N`` sampled states and actions it
has the sampled Fisher ``F = (1/N) sum_i psi_i psi_i^T`` and gradient
``g = (1/N) sum_i psi_i A_i``. Both methods solve the same damped system
``(F + lambda I) x = g`` in one process:

- dense: build the score matrix ``Psi`` (N, n), form ``F = Psi^T Psi / N``
  (``O(N n^2)``) and solve with ``numpy.linalg.solve`` (``O(n^3)``);
- CG: 10 iterations of :func:`course_utils.natural.conjugate_gradient` whose products
  ``F v`` come from :func:`course_utils.practical.linear_softmax_fvp` (two ``(N, d) x (d, A)``
  products, ``O(N n)``, F and Psi never formed), as TRPO does with automatic differentiation;
- for reference, CG on the materialised score matrix
  (:func:`course_utils.natural.fisher_vector_product`), which is memory-bound.

It prints medians over repeats, the speed-up and the cosine between the CG and the dense
directions, and the cosine at a few other dampings so the choice of ``lambda`` is visible.
Target (issue 4): >= 50x faster at cosine >= 0.99.

Run: ``python benchmarks/natural_direction.py [--features 100 --actions 20 --samples 5000]``.
BLAS runs single-threaded (both methods alike) unless ``OPENBLAS_NUM_THREADS`` /
``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` are set: on a shared machine multi-threaded timings
of small products are mostly noise. Timings depend on the machine and its load; nothing here is
asserted in the tests.
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported

import numpy as np  # noqa: E402

from course_utils.natural import conjugate_gradient, fisher_vector_product  # noqa: E402
from course_utils.practical import (  # noqa: E402
    linear_softmax_fvp,
    linear_softmax_policy,
    linear_softmax_scores,
)


def problem(d: int, n_actions: int, n_samples: int, rng: np.random.Generator):
    """Sampled states, actions from the policy, advantages and the gradient estimate."""
    theta = rng.normal(scale=1.0 / np.sqrt(d), size=(d, n_actions))  # logits of std ~1
    X = rng.normal(size=(n_samples, d))
    pi = linear_softmax_policy(theta, X)
    actions = (pi.cumsum(axis=1) < rng.random((n_samples, 1))).sum(axis=1)
    actions = np.minimum(actions, n_actions - 1)
    advantages = rng.normal(size=n_samples)
    # g = (1/N) sum_i psi_i A_i = X^T (A * (e_a - pi)) / N, without the score matrix
    E = -pi * advantages[:, None]
    E[np.arange(n_samples), actions] += advantages
    g = (X.T @ E).ravel() / n_samples
    return theta, X, actions, g


def dense_direction(theta, X, actions, g, damping):
    Psi = linear_softmax_scores(theta, X, actions)
    F = Psi.T @ Psi / X.shape[0]
    F[np.diag_indices_from(F)] += damping
    return np.linalg.solve(F, g)


def cg_direction(theta, X, actions, g, damping, iters=10):
    x, _ = conjugate_gradient(linear_softmax_fvp(theta, X, actions, damping=damping), g, iters)
    return x


def cg_scores_direction(theta, X, actions, g, damping, iters=10):
    Psi = linear_softmax_scores(theta, X, actions)
    x, _ = conjugate_gradient(lambda v: fisher_vector_product(Psi, v, damping), g, iters)
    return x


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def compare(d, n_actions, n_samples, damping, repeats, rng):
    """Times (s) of the three routes and the cosines of the CG directions to the dense one."""
    theta, X, actions, g = problem(d, n_actions, n_samples, rng)
    t_dense, x_dense = median_time(lambda: dense_direction(theta, X, actions, g, damping), repeats)
    t_cgs, x_cgs = median_time(lambda: cg_scores_direction(theta, X, actions, g, damping), repeats)
    t_cg, x_cg = median_time(lambda: cg_direction(theta, X, actions, g, damping), 10 * repeats)
    return t_dense, t_cgs, t_cg, cosine(x_cgs, x_dense), cosine(x_cg, x_dense)


def damping_table(d, n_actions, n_samples, rng):
    """Cosine after 10 CG iterations, and the bias of damping, for several lambda."""
    theta, X, actions, g = problem(d, n_actions, n_samples, rng)
    Psi = linear_softmax_scores(theta, X, actions)
    eig, Q = np.linalg.eigh(Psi.T @ Psi / X.shape[0])
    null = eig < 1e-10 * eig[-1]
    print(
        f"damping, n = {theta.size}: sampled F has eigenvalues in [{eig[~null][0]:.3g}, "
        f"{eig[-1]:.3g}] on g's subspace and {null.sum()} ~0 (constant-logit directions)"
    )
    Qg = Q.T @ g
    x_pinv = Q @ np.where(null, 0.0, Qg / np.where(null, 1.0, eig))
    for lam in (1e-5, 1e-3, 1e-2, 1e-1):
        x_ref = Q @ (Qg / (eig + lam))
        x_10 = cg_direction(theta, X, actions, g, lam)
        cond = (eig[-1] + lam) / (eig[~null][0] + lam)
        print(
            f"  lambda = {lam:7.0e}: condition number {cond:6.1f}   "
            f"cosine(CG 10, dense) = {cosine(x_10, x_ref):.6f}   "
            f"cosine(damped, undamped) = {cosine(x_ref, x_pinv):.6f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="100x20,200x20", help="comma-separated d x A (features x actions)"
    )
    parser.add_argument("--samples", type=int, default=5000, help="N sampled (x, a) pairs")
    parser.add_argument("--damping", type=float, default=0.01, help="lambda in F + lambda I")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the dense solve")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)

    print(
        f"linear softmax policies; N = {args.samples} sampled (x, a) pairs; damping lambda = "
        f"{args.damping:g} in both; 10 CG iterations; BLAS threads = "
        f"{os.environ['OPENBLAS_NUM_THREADS']}; medians of {args.repeats} (dense) and "
        f"{10 * args.repeats} (CG) runs"
    )
    print(
        "    n     d    A | dense: Psi, F, solve | CG, Fv from Psi | CG, Fv without Psi | "
        "speed-up | cosine"
    )
    results = []
    for d, n_actions in sizes:
        t_dense, t_cgs, t_cg, cos_s, cos = compare(
            d, n_actions, args.samples, args.damping, args.repeats, rng
        )
        results.append((d * n_actions, t_dense / t_cg, cos))
        print(
            f"{d * n_actions:5d} {d:5d} {n_actions:4d} | {t_dense * 1e3:17.1f} ms | "
            f"{t_cgs * 1e3:12.1f} ms | {t_cg * 1e3:15.2f} ms | {t_dense / t_cg:7.1f}x | "
            f"{cos:.6f}"
        )
        print(
            f"{'':17}(CG from Psi: speed-up {t_dense / t_cgs:.1f}x, cosine {cos_s:.6f}; "
            "it streams the (N, n) score matrix 20 times)"
        )
    for n, ratio, cos in results:
        met = ratio >= 50 and cos >= 0.99
        print(f"n = {n}: target >= 50x at cosine >= 0.99 {'met' if met else 'NOT met'}")
    d, n_actions = sizes[0]
    damping_table(d, n_actions, args.samples, rng)


if __name__ == "__main__":
    main()
