"""Checks of homework 2 (``hw2_natural_step``): steps, Fisher-vector products, CG, REINFORCE.

Properties only (``1/2 d^T F d = eps``, ``F d`` parallel to ``g``, the CG residual, the
first CG iterate, causality of the reward to go, Monte Carlo unbiasedness, consistency with the
student's own functions); the references live with the instructor's source. float32 policy:
every answer of this homework may be float32 (tolerance
:data:`~course_utils.checks._core.FLOAT32_RTOL`) except ``conjugate_gradient``, whose residual
test at 1e-8 needs float64.
"""

from __future__ import annotations

import numpy as np

from ..gaussian import LinearGaussianLQR
from ..gaussian import gaussian_score as _psi
from ._core import Fail, Part, Stop, as_array, call, fmt, forbid, grade, mean_and_se, rel_error, spd

__all__ = [
    "vanilla_step",
    "natural_step",
    "step_angles",
    "fisher_vector_product",
    "conjugate_gradient",
    "reinforce_terms",
    "sampled_natural_gradient",
]


_NAT = "course_utils.natural."
#: the course's own implementations a solution must not call, per exercise (solution cell)
FORBIDDEN = {
    "vanilla_step": (_NAT + "vanilla_step",),
    "natural_step": (_NAT + "natural_step", _NAT + "natural_gradient", _NAT + "natural_step_cg"),
    "fisher_vector_product": (_NAT + "fisher_vector_product",),
    "conjugate_gradient": (_NAT + "conjugate_gradient", _NAT + "natural_step_cg"),
    "reinforce_terms": ("course_utils.gaussian.LinearGaussianLQR.estimate_gradient",),
}


def _cos(u, v) -> float:
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    return 0.0 if nu == 0 or nv == 0 else float(np.clip(u @ v / (nu * nv), -1.0, 1.0))


def _degrees(u, v) -> float:
    return float(np.degrees(np.arccos(_cos(u, v))))


def _step(fn, name, seed, *extra):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=4) * rng.uniform(0.5, 3.0)
    eps = float(rng.uniform(0.01, 0.1))
    F = spd(rng, rng.uniform(0.2, 5.0, size=4))
    args = (g, F, eps) if extra else (g, eps)
    d, rtol = as_array(call(fn, name, *args), f"{name}(...)", (4,))
    return g, F, eps, d, max(rtol, 1e-9)


def vanilla_step(fn, seeds=(0,)) -> float:
    """Check ``vanilla_step(g, eps)``: steepest ascent in the ball ``d^T d <= eps``.

    Parts: shape of ``g``, also from a list (0.5 point); ``d`` points along ``+g`` (0.75);
    ``||d||^2 = eps``, the trust region's boundary (0.75). Notebook ``03_taylor_and_trust_regions``.
    """

    def gate(seed):
        forbid(fn, "vanilla_step", FORBIDDEN["vanilla_step"], np.ones(2), 0.1)

    def shape(seed):
        g = np.random.default_rng(seed).normal(size=5)
        for given in (g, g.tolist()):
            as_array(call(fn, "vanilla_step", given, 0.05), "vanilla_step(g, eps)", (5,))
        return "an array shaped like g, from an array or a list"

    def direction(seed):
        g, _, _, d, _ = _step(fn, "vanilla_step", seed)
        if _cos(d, g) < 1 - 1e-6:
            more = " (it goes downhill: ascent moves along +g)" if _cos(d, g) < -0.99 else ""
            raise Fail(
                f"your step is {_degrees(d, g):.1f} degrees from g{more}: in a Euclidean ball "
                "the steepest-ascent direction is the gradient itself"
            )
        return "d points along +g"

    def length(seed):
        g, _, eps, d, rtol = _step(fn, "vanilla_step", seed)
        ratio = float(d @ d / eps)
        if abs(ratio - 1) > 10 * rtol:
            raise Fail(
                f"your step has ||d||^2 = {ratio:.4g} eps: the trust region is d^T d <= eps and "
                "the best step lies on its boundary. Which power of ||d|| did you normalise, "
                "and is there a factor of the natural step's constraint in it?"
            )
        return "||d||^2 = eps: on the boundary of the trust region"

    parts = [Part("shape", 0.5, shape), Part("direction", 0.75, direction)]
    parts.append(Part("length", 0.75, length))
    return grade("vanilla_step", parts, seeds, gate)


def natural_step(fn, seeds=(0,)) -> float:
    """Check ``natural_step(g, F, eps)``: steepest ascent in the KL ball ``1/2 d^T F d <= eps``.

    Parts: shape (0.5 point); ``F d`` is parallel to ``+g``, i.e. ``d`` is along ``F^-1 g``
    (1.5); ``1/2 d^T F d = eps`` (1). Notebook ``05_natural_gradient``; the 1/2 and ``F^-1`` in
    the step size are errata 1 and 2 of seed 002.
    """

    def gate(seed):
        forbid(fn, "natural_step", FORBIDDEN["natural_step"], np.ones(2), np.eye(2), 0.1)

    def shape(seed):
        as_array(_step(fn, "natural_step", seed, True)[3], "natural_step(g, F, eps)", (4,))
        as_array(call(fn, "natural_step", [1.0, 2.0], [[2.0, 0.0], [0.0, 1.0]], 0.1), "d", (2,))
        return "an array shaped like g, from arrays or lists"

    def direction(seed):
        g, F, _, d, rtol = _step(fn, "natural_step", seed, True)
        if _cos(F @ d, g) < 1 - 100 * rtol:
            if _cos(d, g) > 1 - 1e-6:
                hint = "your d is parallel to g itself: that is the vanilla direction"
            else:
                hint = "the direction must make F d parallel to g (solve, do not multiply by F)"
            raise Fail(f"F d is {_degrees(F @ d, g):.1f} degrees from g: {hint}")
        return "F d is parallel to +g (d along F^-1 g)"

    def size(seed):
        g, F, eps, d, rtol = _step(fn, "natural_step", seed, True)
        ratio = float(0.5 * d @ F @ d / eps)
        if abs(ratio - 1) > 100 * rtol:
            raise Fail(
                f"your step has 1/2 d^T F d = {ratio:.4g} eps: the step must lie on the "
                "boundary 1/2 d^T F d = eps. Look at the step size: which quadratic form of g "
                "appears under the square root, and where does the 1/2 of the second-order KL go?"
            )
        return "1/2 d^T F d = eps: on the boundary of the KL trust region"

    parts = [Part("shape", 0.5, shape), Part("direction", 1.5, direction), Part("size", 1, size)]
    return grade("natural_step", parts, seeds, gate)


def step_angles(angle_vanilla, angle_natural, vanilla_step_fn, natural_step_fn, lqr, k, sigma, eps):
    """Check the two angles to the optimum of the k/sigma problem (values, 1 point).

    Parts: two floats in [0, 180] (0.5 point); each is the angle of the student's own step
    (``vanilla_step(g, eps)``, ``natural_step(g, F, eps)`` at ``(k, sigma)``) measured by
    ``lqr.angle_to_optimum`` (0.5). Notebook ``06_gaussian_k_sigma``.
    """
    if not isinstance(lqr, LinearGaussianLQR):
        raise ValueError(f"lqr must be a LinearGaussianLQR, got {type(lqr).__name__}")

    def floats(seed):
        for name, value in [("angle_vanilla", angle_vanilla), ("angle_natural", angle_natural)]:
            arr, _ = as_array(value, name)
            if arr.size != 1 or not 0 <= float(arr.ravel()[0]) <= 180:
                raise Stop(f"{name} = {fmt(arr)}: one angle in degrees, between 0 and 180")
        return "two angles in degrees"

    def consistent(seed):
        g, F = lqr.gradient(k, sigma), lqr.fisher_information(k, sigma)
        steps = {
            "angle_vanilla": call(vanilla_step_fn, "vanilla_step", g, eps),
            "angle_natural": call(natural_step_fn, "natural_step", g, F, eps),
        }
        for name, value in [("angle_vanilla", angle_vanilla), ("angle_natural", angle_natural)]:
            d, _ = as_array(steps[name], "your step", (2,))
            want = float(lqr.angle_to_optimum(k, sigma, d))
            if abs(float(np.ravel(value)[0]) - want) > 1e-3:
                raise Fail(
                    f"{name} = {float(np.ravel(value)[0]):.4f} but your step at (k, sigma) = "
                    f"({k}, {sigma}) makes {want:.4f} degrees with the direction of the optimum "
                    "(degrees, not radians; the step's angle, not the gradient's)"
                )
        return "the angles of your two steps"

    return grade("angles", [Part("two angles", 0.5, floats), Part("your steps", 0.5, consistent)])


def _fvp_data(seed, N=25, n=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, n)), rng.normal(size=n), rng.uniform(0.1, 1.0, size=N), rng


def fisher_vector_product(fn, seeds=(0,)) -> float:
    """Check ``fisher_vector_product(scores, v, weights)``: ``F v``, ``F = sum w_i psi_i psi_i^T``.

    Parts: shape of ``v`` (0.5 point); the quadratic form ``v^T (F v) = sum_i w_i (psi_i . v)^2``
    (1); symmetry and linearity, ``u^T (F v) = v^T (F u)`` and ``F (u + v) = F u + F v`` (0.5).
    Notebook ``07_practical_npg``.
    """

    def gate(seed):
        S, v, w, _ = _fvp_data(seed)
        forbid(fn, "fisher_vector_product", FORBIDDEN["fisher_vector_product"], S, v, w)

    def out(seed, v=None):
        S, v0, w, rng = _fvp_data(seed)
        v = v0 if v is None else v
        return S, v, w, as_array(call(fn, "fisher_vector_product", S, v, w), "F v", (5,))

    def shape(seed):
        out(seed)
        return "a vector shaped like v"

    def quadratic(seed):
        S, v, w, (Fv, rtol) = out(seed)
        mine, want = float(v @ Fv), float(np.sum(w * (S @ v) ** 2))
        if abs(mine - want) > max(100 * rtol, 1e-9) * want:
            ratio = mine / want
            hint = (
                f" (ratio {ratio:.4g}: the weights are already normalised; do not divide again)"
                if abs(ratio * len(w) - 1) < 1e-6
                else ""
            )
            raise Fail(
                f"v^T (F v) = {mine:.6g} but sum_i w_i (psi_i . v)^2 = {want:.6g}: F is the "
                f"weighted sum of the outer products psi_i psi_i^T{hint}"
            )
        return "v^T (F v) = sum_i w_i (psi_i . v)^2"

    def symmetric(seed):
        S, v, w, (Fv, rtol) = out(seed)
        u = np.random.default_rng(seed + 100).normal(size=v.size)
        Fu = as_array(call(fn, "fisher_vector_product", S, u, w), "F u", (5,))[0]
        Fuv = as_array(call(fn, "fisher_vector_product", S, u + v, w), "F (u + v)", (5,))[0]
        tol = max(100 * rtol, 1e-9)
        if rel_error(Fuv, Fu + Fv) > tol or abs(u @ Fv - v @ Fu) > tol * np.linalg.norm(Fv) * 3:
            raise Fail("your product is not linear in v or not symmetric (u^T F v != v^T F u)")
        return "linear in v and symmetric"

    parts = [Part("shape", 0.5, shape), Part("quadratic form", 1, quadratic)]
    parts.append(Part("symmetric, linear", 0.5, symmetric))
    return grade("fisher_vector_product", parts, seeds, gate)


def conjugate_gradient(fn, seeds=(0,)) -> float:
    """Check ``conjugate_gradient(matvec, b, iters=10, tol=1e-10)``; float64 needed.

    Parts: returns ``x`` shaped like ``b``, never more than ``iters`` products (0.5 point); the
    first iterate is the exact line minimiser along ``b``, ``x_1 = (b^T b / b^T A b) b``
    (0.5); exact in ``n`` iterations: for ``n = 4`` and ``iters = 4`` the residual
    ``||A x - b|| / ||b|| < 1e-8`` where steepest descent is far from it (1); a 6 x 6 system
    with condition number 30 and ``iters = 10``: residual below ``1e-8`` (1). Notebook
    ``07_practical_npg``.
    """

    def gate(seed):
        forbid(fn, "conjugate_gradient", FORBIDDEN["conjugate_gradient"],
               lambda v: 2.0 * np.asarray(v), np.ones(2))  # fmt: skip

    def system(seed, n, cond):
        rng = np.random.default_rng(seed)
        A = spd(rng, np.geomspace(1.0, cond, n))
        return A, rng.normal(size=n)

    def solve(seed, n, cond, iters):
        A, b = system(seed, n, cond)
        count = [0]

        def matvec(v):
            count[0] += 1
            return A @ np.asarray(v, dtype=float)

        x = call(fn, "conjugate_gradient", matvec, b, iters=iters, tol=1e-20)
        x, _ = as_array(x, "conjugate_gradient(...)", (n,), float32_ok=False)
        return A, b, x, count[0]

    def shape(seed):
        _, _, _, count = solve(seed, 6, 30.0, 3)
        if count > 3:
            raise Fail(
                f"with iters = 3 your CG called matvec {count} times: one product per iteration"
            )
        return "x shaped like b; at most one matvec per iteration"

    def first(seed):
        A, b, x, _ = solve(seed, 6, 30.0, 1)
        want = (b @ b) / (b @ A @ b) * b
        if rel_error(x, want) > 1e-8:
            raise Fail(
                "after one iteration CG's x minimises 1/2 x^T A x - b^T x along the residual "
                f"r = b; yours is {rel_error(x, want):.3g} (relative) away from that point: "
                "look at alpha and the starting point x = 0"
            )
        return "the first iterate is the line minimiser along b"

    def exact(seed):
        A, b, x, _ = solve(seed, 4, 50.0, 4)
        res = np.linalg.norm(A @ x - b) / np.linalg.norm(b)
        if res > 1e-8:
            raise Fail(
                f"on a 4 x 4 system with 4 iterations the residual ||A x - b|| / ||b|| is "
                f"{res:.2g}: conjugate gradient is exact in n iterations in exact arithmetic. "
                "If the first iteration passes, look at the new search direction p: it must "
                "be A-conjugate to the old one (the beta coefficient)"
            )
        return "exact in n iterations (residual < 1e-8 for n = iters = 4)"

    def converges(seed):
        A, b, x, _ = solve(seed, 6, 30.0, 10)
        res = np.linalg.norm(A @ x - b) / np.linalg.norm(b)
        if res > 1e-8:
            raise Fail(
                f"with 10 iterations on a 6 x 6 system the residual is {res:.2g}, not < 1e-8"
            )
        return "residual < 1e-8 on a 6 x 6 system in 10 iterations"

    parts = [Part("shape and cost", 0.5, shape), Part("first iterate", 0.5, first)]
    parts += [Part("exact in n steps", 1, exact), Part("converges", 1, converges)]
    return grade("conjugate_gradient", parts, seeds, gate)


def _rollouts(seed, n=400, horizon=15):
    lqr = LinearGaussianLQR()
    rng = np.random.default_rng(seed)
    k, sigma = float(rng.uniform(-1.2, -0.5)), float(rng.uniform(0.2, 0.5))
    traj = lqr.sample_trajectories(k, sigma, n, horizon, rng)
    return lqr, k, sigma, traj


def reinforce_terms(fn, seeds=(0,)) -> float:
    """Check ``reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline)``.

    Parts: shape ``(n, 2)`` (0.5 point); causality: the reward of step 0 reaches only the
    step-0 term, ``psi(s_0, a_0)``, and the last step's reward reaches every step with the
    discounts ``gamma^t gamma^(T-1-t)`` (0.5); the baseline enters as
    ``- sum_t gamma^t psi_t b_t`` (0.5); unbiased: the mean over 4,000 short rollouts is the
    exact gradient of the truncated return within 5 standard errors (0.5). Notebook
    ``07_practical_npg`` (REINFORCE with reward to go and a baseline).
    """

    def terms(seed, rewards=None, baseline=None):
        lqr, k, sigma, t = _rollouts(seed)
        r = t.rewards if rewards is None else rewards
        b = np.zeros_like(t.states) if baseline is None else baseline
        out = call(fn, "reinforce_terms", t.states, t.actions, r, lqr.gamma, k, sigma, b)
        return as_array(out, "reinforce_terms(...)", (t.states.shape[0], 2))

    def shape(seed):
        terms(seed)
        return "one row (d/dk, d/dsigma) per trajectory"

    def causality(seed):
        lqr, k, sigma, t = _rollouts(seed)
        base, rtol = terms(seed)
        psi = _psi(k, sigma, t.states, t.actions)
        tol = max(100 * rtol, 1e-8)
        r0 = t.rewards.copy()
        r0[:, 0] += 1.0
        change0 = terms(seed, rewards=r0)[0] - base
        if rel_error(change0, psi[:, 0]) > tol:
            raise Fail(
                "adding 1 to the reward of step 0 should change a trajectory's term by "
                "psi(s_0, a_0) only (it is in the reward to go of step 0 alone); yours changes "
                "by something else: is G_t the reward to go from t (not the whole return)?"
            )
        T = t.states.shape[1]
        rT = t.rewards.copy()
        rT[:, -1] += 1.0
        changeT = terms(seed, rewards=rT)[0] - base
        want = lqr.gamma ** (T - 1) * psi.sum(axis=1)
        if rel_error(changeT, want) > tol:
            raise Fail(
                "adding 1 to the LAST reward should change a term by sum_t gamma^t "
                "gamma^(T-1-t) psi_t = gamma^(T-1) sum_t psi_t; yours does not: look at the "
                "discounting of the reward to go and of the term"
            )
        return "a reward reaches only the steps before it, with the right discounts"

    def baseline(seed):
        lqr, k, sigma, t = _rollouts(seed)
        base, rtol = terms(seed)
        b = np.random.default_rng(seed + 1).normal(size=t.states.shape)
        with_b = terms(seed, baseline=b)[0]
        psi = _psi(k, sigma, t.states, t.actions)
        want = -np.einsum("t,nt,ntk->nk", lqr.gamma ** np.arange(t.states.shape[1]), b, psi)
        if rel_error(with_b - base, want) > max(100 * rtol, 1e-8):
            raise Fail(
                "a baseline b should change a term by -sum_t gamma^t psi_t b(s_t); yours "
                "changes it by something else (its sign, or its discount?)"
            )
        return "the baseline enters as -sum_t gamma^t psi_t b_t"

    def unbiased(seed):
        lqr = LinearGaussianLQR()
        rng = np.random.default_rng(seed + 7)
        k, sigma, n, T = -1.0, 0.4, 4000, 8
        t = lqr.sample_trajectories(k, sigma, n, T, rng)
        out = call(fn, "reinforce_terms", t.states, t.actions, t.rewards, lqr.gamma, k, sigma,
                   np.zeros_like(t.states))  # fmt: skip
        arr, _ = as_array(out, "reinforce_terms(...)", (n, 2))
        mean, se = mean_and_se(arr)
        # the truncated return's gradient by central differences of its Monte Carlo mean with
        # common random numbers (the same noise at theta +- h): unbiased for T steps
        want = _truncated_gradient(lqr, k, sigma, T, seed)
        z = np.abs(mean - want) / se
        if np.max(z) > 5:
            raise Fail(
                f"the mean of your terms over {n:,} rollouts of {T} steps is {fmt(mean, 4)}, "
                f"{np.max(z):.0f} standard errors from the gradient of the {T}-step return "
                f"{fmt(want, 4)}: the estimate is biased"
            )
        return "the mean is the gradient of the return within 5 standard errors"

    def gate(seed):
        lqr, k, sigma, t = _rollouts(seed, n=3, horizon=4)
        args = (t.states, t.actions, t.rewards, lqr.gamma, k, sigma, np.zeros_like(t.states))
        forbid(fn, "reinforce_terms", FORBIDDEN["reinforce_terms"], *args)

    parts = [Part("shape", 0.5, shape), Part("reward to go", 0.5, causality)]
    parts += [Part("baseline", 0.5, baseline), Part("unbiased", 0.5, unbiased)]
    return grade("reinforce_terms", parts, seeds, gate)


def _truncated_gradient(lqr, k, sigma, T, seed, n=200_000, h=1e-4):
    """Gradient of E[sum_{t<T} gamma^t r_t] by central differences with common random numbers."""

    def ret(kk, ss):
        rng = np.random.default_rng(seed + 99)
        t = lqr.sample_trajectories(kk, ss, n, T, rng)
        return float(np.mean(t.rewards @ (lqr.gamma ** np.arange(T))))

    return np.array(
        [
            (ret(k + h, sigma) - ret(k - h, sigma)) / (2 * h),
            (ret(k, sigma + h) - ret(k, sigma - h)) / (2 * h),
        ]
    )


def sampled_natural_gradient(x_hat, scores, weights, g_hat, damping, fvp_fn, cg_fn) -> float:
    """Check ``x_hat``, the sampled natural gradient ``(F + damping I)^-1 g_hat`` (value, 2 points).

    Parts: shape of ``g_hat`` (0.5 point); it solves ``(F + damping I) x = g_hat`` with the
    sampled ``F = sum_i w_i psi_i psi_i^T``: relative residual below 1e-4 (1); it is what the
    student's own ``conjugate_gradient`` and ``fisher_vector_product`` give (0.5).
    Notebook ``07_practical_npg``.
    """
    scores = np.asarray(scores, dtype=float)
    weights = np.asarray(weights, dtype=float)
    g_hat = np.asarray(g_hat, dtype=float)

    def shape(seed):
        if x_hat is None:
            raise Stop("x_hat is None: run the cell that computes it")
        as_array(x_hat, "x_hat", g_hat.shape)
        return "shaped like g_hat"

    def residual(seed):
        x, rtol = as_array(x_hat, "x_hat", g_hat.shape)
        Ax = scores.T @ (weights * (scores @ x)) + damping * x
        res = np.linalg.norm(Ax - g_hat) / np.linalg.norm(g_hat)
        # ten CG iterations on this small system are exact up to the products' precision:
        # 1e-6 in float64, 1e-4 when the student's products are float32 (accepted)
        product = np.asarray(call(fvp_fn, "fisher_vector_product", scores, g_hat, weights))
        tol = 1e-4 if product.dtype.itemsize < 8 else 1e-6
        if res > max(tol, 10 * rtol):
            if rel_error(x, scores.T @ (weights * (scores @ g_hat)) + damping * g_hat) < 1e-6:
                hint = "x_hat is (F + damping I) g_hat: a product, where the system asks to solve"
            elif res > 0.5:
                hint = "far from a solution: is x_hat what conjugate_gradient returned for g_hat?"
            else:
                hint = "close but not solved: enough CG iterations, and the damping in the matvec?"
            raise Fail(f"(F + damping I) x_hat differs from g_hat by {res:.2g} (relative): {hint}")
        return "solves (F + damping I) x = g_hat"

    def consistent(seed):
        x, rtol = as_array(x_hat, "x_hat", g_hat.shape)
        mine = call(
            cg_fn,
            "conjugate_gradient",
            lambda v: (
                np.asarray(call(fvp_fn, "fisher_vector_product", scores, v, weights))
                + damping * np.asarray(v)
            ),
            g_hat,
            iters=10,
        )
        mine, _ = as_array(mine, "conjugate_gradient(...)", g_hat.shape)
        if rel_error(x, mine) > max(1e-8, 10 * rtol):
            raise Fail("x_hat is not what your conjugate_gradient and fisher_vector_product give")
        return "your conjugate_gradient with your fisher_vector_product"

    parts = [Part("shape", 0.5, shape), Part("solves the system", 1, residual)]
    parts.append(Part("your functions", 0.5, consistent))
    return grade("x_hat", parts)
