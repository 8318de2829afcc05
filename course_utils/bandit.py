"""A 2-parameter policy to draw: softmax over three arms with logits ``(theta_1, theta_2, 0)``.

Two parameters are what fits on a page, so this is the policy behind the trust-region,
KL-ball and reparametrisation pictures (notebooks 03-05 and their widgets). The objective is
the expected reward ``J(theta) = sum_a pi_a r_a`` of a three-armed bandit; everything is
exact and vectorised over grids of ``theta`` (shape (..., 2)).

- ``pi = softmax(theta_1, theta_2, 0)``
- ``grad J = (pi_a (r_a - J))_{a = 1, 2}``
- ``F = diag(p) - p p^T`` with ``p = (pi_1, pi_2)`` (the score of arm a is ``e_a - p``,
  ``e_3 = 0``)
- ``KL(pi_theta || pi_theta') = sum_a pi_a log(pi_a / pi'_a)``

Derived in ``notebooks/03_taylor_and_trust_regions.ipynb`` and
``notebooks/04_kl_and_fisher.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_array, check_int, check_positive, check_rng
from .natural import natural_step, vanilla_step

__all__ = [
    "SoftmaxBandit",
    "sample_arms",
    "score",
    "estimate_gradient_and_fisher",
    "natural_gradient",
    "ascent_path",
    "kl_region_boundary",
    "KLAlongLine",
    "kl_along_line",
    "TrustRegionSteps",
    "trust_region_steps",
    "EqualKLGains",
    "equal_kl_gains",
    "reparametrisation_grid",
    "ReparametrisedPaths",
    "reparametrised_paths",
]


def _check_theta(theta, name: str = "theta") -> np.ndarray:
    theta = as_array(theta, name)
    if theta.ndim < 1 or theta.shape[-1] != 2:
        raise ValueError(f"{name} has shape {theta.shape}; valid: shape (..., 2)")
    return theta


@dataclass(frozen=True)
class SoftmaxBandit:
    """Three arms with rewards ``rewards``; policy ``softmax(theta_1, theta_2, 0)``.

    Parameters
    ----------
    rewards : tuple of 3 floats, default (1.0, 0.0, 0.5)
        Expected reward of each arm (finite).

    Examples
    --------
    >>> import numpy as np
    >>> bandit = SoftmaxBandit()
    >>> bandit.probabilities(np.zeros(2)).round(4)
    array([0.3333, 0.3333, 0.3333])
    """

    rewards: tuple = (1.0, 0.0, 0.5)

    def __post_init__(self):
        r = as_array(self.rewards, "rewards", shape=(3,))
        object.__setattr__(self, "rewards", tuple(float(x) for x in r))

    @property
    def r(self) -> np.ndarray:
        """Rewards as an array of shape (3,)."""
        return np.asarray(self.rewards)

    def log_probabilities(self, theta) -> np.ndarray:
        """``log pi`` of shape (..., 3), computed stably."""
        theta = _check_theta(theta)
        logits = np.concatenate([theta, np.zeros(theta.shape[:-1] + (1,))], axis=-1)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    def probabilities(self, theta) -> np.ndarray:
        """``pi = softmax(theta_1, theta_2, 0)`` of shape (..., 3)."""
        return np.exp(self.log_probabilities(theta))

    def expected_return(self, theta) -> np.ndarray:
        """``J(theta) = sum_a pi_a r_a``, shape (...)."""
        return self.probabilities(theta) @ self.r

    def gradient(self, theta) -> np.ndarray:
        """``dJ/dtheta_a = pi_a (r_a - J)`` for a = 1, 2; shape (..., 2)."""
        pi = self.probabilities(theta)
        J = pi @ self.r
        return pi[..., :2] * (self.r[:2] - J[..., None])

    def fisher_information(self, theta) -> np.ndarray:
        """``F = diag(p) - p p^T`` with ``p = (pi_1, pi_2)``; shape (..., 2, 2), positive definite.

        Equal to the Hessian of ``kl(theta, .)`` at ``theta``.
        """
        p = self.probabilities(theta)[..., :2]
        return p[..., :, None] * np.eye(2) - p[..., :, None] * p[..., None, :]

    def kl(self, theta_old, theta_new) -> np.ndarray:
        """Exact ``KL(pi_old || pi_new)``, broadcast over leading dimensions; shape (...)."""
        log_old = self.log_probabilities(_check_theta(theta_old, "theta_old"))
        log_new = self.log_probabilities(_check_theta(theta_new, "theta_new"))
        return np.maximum(np.sum(np.exp(log_old) * (log_old - log_new), axis=-1), 0.0)

    def optimum(self) -> int:
        """Index of the best arm (J approaches its reward as the policy becomes greedy)."""
        return int(np.argmax(self.r))


# --- sampling, closed-form natural gradient, trust-region ascent paths -------------------
# (notebooks 03-05 and the trust-region widgets)


def sample_arms(bandit: SoftmaxBandit, theta, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` arms ``a ~ pi_theta`` (0, 1 or 2) by inverting the CDF, vectorised.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (2,)
    n : int
        Number of draws, >= 1.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (n,)

    Notes
    -----
    Used in ``notebooks/04_kl_and_fisher.ipynb`` (via :func:`estimate_gradient_and_fisher`).
    """
    pi = bandit.probabilities(as_array(theta, "theta", shape=(2,)))
    n = check_int(n, "n")
    rng = check_rng(rng)
    return np.minimum(np.searchsorted(np.cumsum(pi), rng.random(n), side="right"), 2)


def score(bandit: SoftmaxBandit, theta, arms) -> np.ndarray:
    """Score ``psi = grad_theta log pi(a)`` of the arms ``arms``: ``e_a - p``, ``p = (pi_1, pi_2)``.

    ``log pi(a) = theta_a - log(e^theta_1 + e^theta_2 + 1)`` (``theta_3 = 0``), so
    ``d log pi(a) / d theta_b = 1[a = b] - pi_b`` for b = 1, 2; arm 3 has ``e_3 = 0``.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (2,)
    arms : int array-like of shape (...)
        Values in {0, 1, 2}.

    Returns
    -------
    ndarray of shape (..., 2)

    Notes
    -----
    ``E[psi] = 0`` and ``E[psi psi^T] = F``: derived in ``notebooks/04_kl_and_fisher.ipynb``.
    """
    p = bandit.probabilities(as_array(theta, "theta", shape=(2,)))[:2]
    arms = np.asarray(arms)
    if arms.dtype.kind not in "iu" or np.any((arms < 0) | (arms > 2)):
        raise ValueError(f"arms={arms!r} is invalid; valid: integers in {{0, 1, 2}}")
    return np.eye(3)[arms][..., :2] - p


def estimate_gradient_and_fisher(bandit: SoftmaxBandit, theta, n: int, rng: np.random.Generator):
    """Sampled ``g`` and ``F`` from ONE batch of ``n`` arm pulls (the same samples for both).

    ``g_hat = mean_i psi_i r_{a_i}`` (REINFORCE, no baseline) and
    ``F_hat = mean_i psi_i psi_i^T``, with ``psi_i`` the :func:`score` of the pulled arm.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (2,)
    n : int
        Number of pulls, >= 2.
    rng : numpy.random.Generator

    Returns
    -------
    g : ndarray of shape (2,)
    g_se : ndarray of shape (2,)
        Standard errors ``std(ddof=1) / sqrt(n)``.
    F : ndarray of shape (2, 2)
    F_se : ndarray of shape (2, 2)

    Notes
    -----
    Used in ``notebooks/04_kl_and_fisher.ipynb`` ("the Fisher from the same samples").
    """
    n = check_int(n, "n", low=2)
    arms = sample_arms(bandit, theta, n, rng)
    psi = score(bandit, theta, arms)  # (n, 2)
    per_g = psi * bandit.r[arms][:, None]
    per_F = (psi[:, :, None] * psi[:, None, :]).reshape(n, 4)
    se = np.sqrt(n)
    return (
        per_g.mean(axis=0),
        per_g.std(axis=0, ddof=1) / se,
        per_F.mean(axis=0).reshape(2, 2),
        (per_F.std(axis=0, ddof=1) / se).reshape(2, 2),
    )


def natural_gradient(bandit: SoftmaxBandit, theta) -> np.ndarray:
    """Closed form ``F^-1 g = (r_1 - r_3, r_2 - r_3)``: the same vector at every ``theta``.

    With ``F = diag(p) - p p^T`` and ``g = p * (r_{1,2} - J)``:
    ``F x = p * x - p (p . x)``; for ``x_a = r_a - r_3`` one gets ``p . x = J - r_3``, so
    ``F x = p * (r_{1,2} - J) = g``. The natural direction never changes on this bandit (the
    natural paths are straight lines); only the step length ``sqrt(2 eps / g^T F^-1 g)``
    changes, with ``g^T F^-1 g = Var_pi(r)``.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (..., 2)

    Returns
    -------
    ndarray of shape (..., 2)

    Notes
    -----
    Derived in ``notebooks/05_natural_gradient.ipynb``.
    """
    theta = _check_theta(theta)
    return np.broadcast_to(bandit.r[:2] - bandit.r[2], theta.shape).copy()


def _check_reparametrisation(A, b):
    if A is None:
        A = np.eye(2)
    A = as_array(A, "A", shape=(2, 2))
    if abs(np.linalg.det(A)) < 1e-12 * max(1.0, np.abs(A).max() ** 2):
        raise ValueError(
            f"A={np.array2string(A, precision=6)} is singular; valid: an invertible 2x2 matrix"
        )
    b = np.zeros(2) if b is None else as_array(b, "b", shape=(2,))
    return A, b


def ascent_path(
    bandit: SoftmaxBandit,
    theta0,
    eps: float,
    n_steps: int,
    natural: bool = False,
    A=None,
    b=None,
) -> np.ndarray:
    """Iterate the vanilla or natural trust-region step, in the coordinates ``phi``.

    The parameters are written ``theta = A phi + b`` (default ``A = I``, ``b = 0``: plain
    ``theta``). Each step is taken in ``phi`` with the gradient ``g_phi = A^T g_theta`` (chain
    rule) and the Fisher ``F_phi = A^T F_theta A``:

    - vanilla: ``d_phi = sqrt(eps / g_phi^T g_phi) g_phi``  (``||d_phi||^2 = eps``);
    - natural: ``d_phi = sqrt(2 eps / g_phi^T F_phi^-1 g_phi) F_phi^-1 g_phi``
      (``1/2 d_phi^T F_phi d_phi = eps``).

    In ``theta`` the vanilla step is ``alpha A A^T g_theta`` (Kakade & Brantley): it depends on
    ``A``. The natural step is ``A F_phi^-1 g_phi = F_theta^-1 g_theta`` with the same length:
    it does not.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta0 : array-like of shape (2,)
        Start, in ``theta`` coordinates.
    eps : float
        Trust-region size, > 0 (squared Euclidean length in ``phi`` for vanilla, second-order
        KL for natural).
    n_steps : int
        Number of steps, >= 1.
    natural : bool, default False
    A : array-like of shape (2, 2), optional
        Invertible; default the identity.
    b : array-like of shape (2,), optional
        Default 0. A translation never changes the path.

    Returns
    -------
    ndarray of shape (n_steps + 1, 2)
        The iterates mapped back to ``theta = A phi + b`` (so paths computed with different
        ``A`` can be drawn in one picture). The ``phi`` iterates are
        ``np.linalg.solve(A, (path - b).T).T``. If the gradient underflows to exactly 0 (the
        policy has become deterministic to machine precision, which the accelerating natural
        steps reach after a few dozen steps) the remaining rows repeat the last iterate.

    Notes
    -----
    Derived in ``notebooks/03_taylor_and_trust_regions.ipynb`` (vanilla) and
    ``notebooks/05_natural_gradient.ipynb`` (natural, invariance).

    Examples
    --------
    >>> import numpy as np
    >>> path = ascent_path(SoftmaxBandit(), np.zeros(2), 0.01, 3)
    >>> np.round(np.sum(np.diff(path, axis=0) ** 2, axis=1), 12)
    array([0.01, 0.01, 0.01])
    """

    theta0 = as_array(theta0, "theta0", shape=(2,))
    eps = float(check_positive(eps, "eps"))
    n_steps = check_int(n_steps, "n_steps")
    A, b = _check_reparametrisation(A, b)
    phi = np.empty((n_steps + 1, 2))
    phi[0] = np.linalg.solve(A, theta0 - b)
    for t in range(n_steps):  # each iterate depends on the previous one
        theta = A @ phi[t] + b
        g_phi = A.T @ bandit.gradient(theta)
        if not np.any(g_phi):  # the policy is deterministic to machine precision: stay
            phi[t + 1 :] = phi[t]
            break
        if natural:
            F_phi = A.T @ bandit.fisher_information(theta) @ A
            phi[t + 1] = phi[t] + natural_step(g_phi, F_phi, eps)
        else:
            phi[t + 1] = phi[t] + vanilla_step(g_phi, eps)
    return phi @ A.T + b


# --- drawable regions and step summaries (trust-region and reparametrisation widgets) ---------


def kl_region_boundary(bandit: SoftmaxBandit, theta, eps: float, n_points: int = 361) -> np.ndarray:
    """Offsets ``d`` on the boundary of the exact region ``KL(pi_theta || pi_theta+d) <= eps``.

    ``KL(pi_theta || softmax(theta')) = sum_a pi_a log pi_a - pi . l' + log sum_a e^(l'_a)``
    (logits ``l' = (theta'_1, theta'_2, 0)``) is convex in ``theta'``, zero with zero gradient
    at ``theta' = theta``, and tends to infinity along every ray (some arm's probability goes
    to 0 while ``pi_a > 0``). So along each direction ``u`` there is exactly one radius ``r``
    with ``KL(theta, theta + r u) = eps``; it is found by bisection, all directions at once.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (2,)
        Centre.
    eps : float
        > 0.
    n_points : int, default 361
        >= 3; directions ``t = 0 .. 2 pi``, the first and last points coincide.

    Returns
    -------
    ndarray of shape (n_points, 2)
        Offsets ``d`` (add ``theta`` to draw), with ``KL = eps`` to a relative 1e-10.

    Notes
    -----
    Drawn by the trust-region explorer (``course_utils.widgets``) of
    ``notebooks/03_taylor_and_trust_regions.ipynb`` and ``notebooks/05_natural_gradient.ipynb``;
    its quadratic model is :func:`course_utils.natural.trust_region_boundary` with ``F``.
    """
    theta = as_array(theta, "theta", shape=(2,))
    eps = float(check_positive(eps, "eps"))
    n_points = check_int(n_points, "n_points", low=3)
    t = np.linspace(0.0, 2.0 * np.pi, n_points)
    u = np.stack([np.cos(t), np.sin(t)], axis=1)
    return _radius_at_kl(bandit, theta, u, eps)[:, None] * u


def _radius_at_kl(bandit: SoftmaxBandit, theta, u, kl) -> np.ndarray:
    """The ``r > 0`` with ``KL(pi_theta || pi_theta+r u) = kl`` for each direction ``u``.

    ``u`` has shape (n, 2), ``kl`` broadcasts to (n,). The KL along a ray is convex, 0 at
    ``r = 0`` and unbounded (see :func:`kl_region_boundary`), so it crosses each level once:
    bracket by doubling, then bisect, all rows at once, to a relative 1e-13.
    """
    kl = np.broadcast_to(kl, u.shape[:1])

    def kl_at(r):
        return bandit.kl(theta, theta + r[:, None] * u)

    lo, hi = np.zeros(len(u)), np.ones(len(u))
    for _ in range(200):  # grow the bracket until KL(hi) >= kl in every direction
        short = kl_at(hi) < kl
        if not np.any(short):
            break
        lo[short], hi[short] = hi[short], 2.0 * hi[short]
    for _ in range(200):  # bisection, vectorised over the directions
        mid = 0.5 * (lo + hi)
        inside = kl_at(mid) < kl
        lo, hi = np.where(inside, mid, lo), np.where(inside, hi, mid)
        if np.all(hi - lo <= 1e-13 * hi):
            break
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class KLAlongLine:
    """The exact KL in both argument orders and its quadratic model, along ``theta + t u``.

    All arrays have the shape of ``t``.

    Attributes
    ----------
    t : ndarray of shape (n,)
        Step lengths (``= ||d||`` when ``u`` is a unit vector).
    forward : ndarray of shape (n,)
        ``KL(pi_theta || pi_theta+d)``, ``d = t u``.
    reverse : ndarray of shape (n,)
        ``KL(pi_theta+d || pi_theta)``.
    quadratic : ndarray of shape (n,)
        The second-order model ``1/2 d^T F(theta) d``, the same for both orders.
    forward_ratio, reverse_ratio : ndarray of shape (n,)
        ``forward / quadratic`` and ``reverse / quadratic``; both tend to 1 as ``t -> 0``.
    """

    t: np.ndarray
    forward: np.ndarray
    reverse: np.ndarray
    quadratic: np.ndarray

    @property
    def forward_ratio(self) -> np.ndarray:
        """``KL(pi_theta || pi_theta+d) / (1/2 d^T F d)``."""
        return self.forward / self.quadratic

    @property
    def reverse_ratio(self) -> np.ndarray:
        """``KL(pi_theta+d || pi_theta) / (1/2 d^T F d)``."""
        return self.reverse / self.quadratic


def kl_along_line(bandit: SoftmaxBandit, theta, u, t) -> KLAlongLine:
    """Exact KL against ``1/2 d^T F d`` for the steps ``d = t u`` from ``theta``.

    ``KL(pi_theta || pi_theta+d) = 1/2 d^T F d + O(||d||^3)`` in either argument order
    (MATH.md section 1), so both ratios ``KL / (1/2 d^T F d)`` tend to 1 as ``t -> 0``, with a
    deviation linear in ``t`` (the third-order term, different for the two orders).

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (2,)
        Where the expansion is taken.
    u : array-like of shape (2,)
        Direction of the steps, non-zero (a unit vector makes ``t`` the step length).
    t : array-like of shape (n,)
        Step lengths, > 0.

    Returns
    -------
    KLAlongLine

    Raises
    ------
    ValueError
        If ``theta`` or ``u`` is not of shape (2,), ``u = 0``, or ``t`` is not a 1-D array of
        positive numbers.

    Notes
    -----
    Derived in ``notebooks/04_kl_and_fisher.ipynb`` (section 4, where the quadratic model
    breaks); used there for the table and the figure.

    Examples
    --------
    >>> import numpy as np
    >>> line = kl_along_line(SoftmaxBandit(), np.zeros(2), np.array([1.0, 0.0]), [1e-3, 1.0])
    >>> line.forward_ratio.round(3)
    array([1.   , 1.075])
    """
    theta = as_array(theta, "theta", shape=(2,))
    u = as_array(u, "u", shape=(2,))
    if not np.any(u):
        raise ValueError("u=[0. 0.] is the zero vector; valid: a non-zero direction of shape (2,)")
    t = check_positive(as_array(t, "t", ndim=1), "t")
    d = t[:, None] * u
    F = bandit.fisher_information(theta)
    return KLAlongLine(
        t=t,
        forward=bandit.kl(theta, theta + d),
        reverse=bandit.kl(theta + d, theta),
        quadratic=0.5 * np.einsum("ni,ij,nj->n", d, F, d),
    )


@dataclass(frozen=True)
class TrustRegionSteps:
    """The vanilla and the natural step of size ``eps`` at ``theta``, and what they achieve.

    All arrays have the shape of ``eps`` (steps: that shape + (2,)).

    Attributes
    ----------
    eps : ndarray
    vanilla, natural : ndarray of shape eps.shape + (2,)
        ``sqrt(eps / g^T g) g`` and ``sqrt(2 eps / g^T F^-1 g) F^-1 g``.
    predicted_vanilla, predicted_natural : ndarray
        First-order model of the improvement, ``g^T d``.
    actual_vanilla, actual_natural : ndarray
        True improvement ``J(theta + d) - J(theta)``.
    kl_vanilla, kl_natural : ndarray
        Exact ``KL(pi_theta || pi_theta+d)``.
    quadratic_vanilla, quadratic_natural : ndarray
        Its second-order model ``1/2 d^T F d`` (``= eps`` for the natural step).
    """

    eps: np.ndarray
    vanilla: np.ndarray
    natural: np.ndarray
    predicted_vanilla: np.ndarray
    predicted_natural: np.ndarray
    actual_vanilla: np.ndarray
    actual_natural: np.ndarray
    kl_vanilla: np.ndarray
    kl_natural: np.ndarray
    quadratic_vanilla: np.ndarray
    quadratic_natural: np.ndarray


def trust_region_steps(bandit: SoftmaxBandit, theta, eps) -> TrustRegionSteps:
    """Both trust-region steps at ``theta`` for one or many ``eps``, with their outcomes.

    Vanilla ``d = sqrt(eps / g^T g) g`` (``||d||^2 = eps``) and natural
    ``d = sqrt(2 eps / g^T F^-1 g) F^-1 g`` (``1/2 d^T F d = eps``), MATH.md section 1;
    for each: the predicted improvement ``g^T d``, the actual ``J(theta + d) - J(theta)``,
    the exact KL and its quadratic model ``1/2 d^T F d``.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (2,)
    eps : float or array-like
        Trust-region sizes, > 0.

    Returns
    -------
    TrustRegionSteps

    Notes
    -----
    Derived in ``notebooks/03_taylor_and_trust_regions.ipynb`` and
    ``notebooks/05_natural_gradient.ipynb``; the trust-region explorer of
    ``course_utils.widgets`` draws it.

    Examples
    --------
    >>> import numpy as np
    >>> steps = trust_region_steps(SoftmaxBandit(), np.zeros(2), 0.01)
    >>> round(float(steps.quadratic_natural), 12), round(float(steps.vanilla @ steps.vanilla), 12)
    (0.01, 0.01)
    """

    theta = as_array(theta, "theta", shape=(2,))
    eps = check_positive(eps, "eps")
    g = bandit.gradient(theta)
    F = bandit.fisher_information(theta)
    J0 = bandit.expected_return(theta)
    d_v = vanilla_step(g, eps)  # shape eps.shape + (2,)
    d_n = natural_step(g, F, eps)
    return TrustRegionSteps(
        eps=eps,
        vanilla=d_v,
        natural=d_n,
        predicted_vanilla=d_v @ g,
        predicted_natural=d_n @ g,
        actual_vanilla=bandit.expected_return(theta + d_v) - J0,
        actual_natural=bandit.expected_return(theta + d_n) - J0,
        kl_vanilla=bandit.kl(theta, theta + d_v),
        kl_natural=bandit.kl(theta, theta + d_n),
        quadratic_vanilla=0.5 * np.einsum("...i,ij,...j->...", d_v, F, d_v),
        quadratic_natural=0.5 * np.einsum("...i,ij,...j->...", d_n, F, d_n),
    )


@dataclass(frozen=True)
class EqualKLGains:
    """The vanilla and the natural direction, each scaled to the same exact KL.

    All arrays have the shape of ``kl`` (steps: that shape + (2,)).

    Attributes
    ----------
    kl : ndarray
        The exact ``KL(pi_theta || pi_theta+d)`` of both steps.
    vanilla, natural : ndarray of shape kl.shape + (2,)
        ``t g`` and ``t' F^-1 g`` with ``t, t' > 0`` chosen so that the exact KL is ``kl``.
    predicted_vanilla, predicted_natural : ndarray
        First-order model of the improvement, ``g^T d``.
    actual_vanilla, actual_natural : ndarray
        True improvement ``J(theta + d) - J(theta)``.
    natural_over_vanilla : ndarray
        ``actual_natural / actual_vanilla``: above 1 where the natural direction gains more
        at this exact KL.
    """

    kl: np.ndarray
    vanilla: np.ndarray
    natural: np.ndarray
    predicted_vanilla: np.ndarray
    predicted_natural: np.ndarray
    actual_vanilla: np.ndarray
    actual_natural: np.ndarray
    natural_over_vanilla: np.ndarray


def equal_kl_gains(bandit: SoftmaxBandit, theta, kl) -> EqualKLGains:
    """Both step directions compared at equal EXACT KL: the gain each buys for the same KL.

    The vanilla step has ``||d||^2 = eps`` and the natural one ``1/2 d^T F d = eps``: the same
    ``eps`` measures two different things, so comparing the two steps at equal ``eps`` says
    nothing about which direction is better. Here both directions ``u_v = g`` and
    ``u_n = F^-1 g`` are scaled, ``d = t u`` with ``t > 0``, until the exact
    ``KL(pi_theta || pi_theta+d) = kl`` (bisection: the KL along a ray is convex, 0 at
    ``t = 0`` and unbounded), and their true improvements ``J(theta + d) - J(theta)`` are
    compared. As ``kl -> 0`` the ratio tends to
    ``sqrt(g^T F^-1 g * g^T F g) / g^T g >= 1`` (the natural direction is best for the
    quadratic model of the KL); at a finite ``kl`` the exact KL decides, and the vanilla
    direction can be ahead.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta : array-like of shape (2,)
    kl : float or array-like
        Exact KL levels, > 0.

    Returns
    -------
    EqualKLGains

    Notes
    -----
    The steps are derived in ``notebooks/03_taylor_and_trust_regions.ipynb`` (vanilla) and
    ``notebooks/05_natural_gradient.ipynb`` (natural); the comparison is drawn by the
    trust-region explorer (``notebooks/explorers/trust_region_explorer.ipynb``).

    Examples
    --------
    >>> import numpy as np
    >>> gains = equal_kl_gains(SoftmaxBandit(), np.array([-1.0, 0.0]), 0.1)
    >>> round(float(gains.natural_over_vanilla), 3)
    1.042
    """
    theta = as_array(theta, "theta", shape=(2,))
    kl = check_positive(kl, "kl")
    g = bandit.gradient(theta)
    x = np.linalg.solve(bandit.fisher_information(theta), g)
    J0 = bandit.expected_return(theta)
    levels = np.ravel(kl)
    steps = {}
    for name, u in (("vanilla", g), ("natural", x)):
        t = _radius_at_kl(bandit, theta, np.broadcast_to(u, (levels.size, 2)), levels)
        steps[name] = (t[:, None] * u).reshape(kl.shape + (2,))
    actual = {name: bandit.expected_return(theta + d) - J0 for name, d in steps.items()}
    return EqualKLGains(
        kl=kl,
        vanilla=steps["vanilla"],
        natural=steps["natural"],
        predicted_vanilla=steps["vanilla"] @ g,
        predicted_natural=steps["natural"] @ g,
        actual_vanilla=actual["vanilla"],
        actual_natural=actual["natural"],
        natural_over_vanilla=actual["natural"] / actual["vanilla"],
    )


def reparametrisation_grid(A=None, b=None, theta_lim=(-4.0, 4.0), n_lines: int = 11):
    """Coordinate lines of ``phi`` drawn in the ``theta`` plane, for ``theta = A phi + b``.

    A linear map sends the straight lines ``phi_1 = c`` and ``phi_2 = c`` to straight lines,
    so each is given by two end points. The ``phi`` values are spaced evenly over the
    ``phi``-image of the square ``theta_lim x theta_lim`` (so the lines cover it).

    Parameters
    ----------
    A : array-like of shape (2, 2), optional
        Invertible; default the identity.
    b : array-like of shape (2,), optional
        Default 0.
    theta_lim : (float, float), default (-4, 4)
        The square to cover, ``low < high``.
    n_lines : int, default 11
        Lines per family, >= 2.

    Returns
    -------
    ndarray of shape (2, n_lines, 2, 2)
        ``[family, line, end point, (theta_1, theta_2)]``; family 0 holds the lines of
        constant ``phi_1``, family 1 those of constant ``phi_2``.

    Notes
    -----
    Drawn by the reparametrisation explorer (``course_utils.widgets``) of
    ``notebooks/05_natural_gradient.ipynb``.
    """
    A, b = _check_reparametrisation(A, b)
    lo, hi = (float(v) for v in as_array(theta_lim, "theta_lim", shape=(2,)))
    if not lo < hi:
        raise ValueError(f"theta_lim=({lo:g}, {hi:g}) is empty; valid: low < high")
    n_lines = check_int(n_lines, "n_lines", low=2)
    corners = np.array([[lo, lo], [lo, hi], [hi, lo], [hi, hi]])
    phi_corners = np.linalg.solve(A, (corners - b).T).T  # (4, 2)
    phi_lo, phi_hi = phi_corners.min(axis=0), phi_corners.max(axis=0)
    lines = np.empty((2, n_lines, 2, 2))
    for family in range(2):  # the two coordinate families
        other = 1 - family
        phi = np.empty((n_lines, 2, 2))
        phi[:, :, family] = np.linspace(phi_lo[family], phi_hi[family], n_lines)[:, None]
        phi[:, 0, other], phi[:, 1, other] = phi_lo[other], phi_hi[other]
        lines[family] = phi @ A.T + b
    return lines


@dataclass(frozen=True)
class ReparametrisedPaths:
    """Vanilla and natural ascent paths in the coordinates ``phi`` (``theta = A phi + b``),
    next to the same paths in plain ``theta`` (``A = I``), all drawn in ``theta``.

    Attributes
    ----------
    vanilla, natural : ndarray of shape (n_steps + 1, 2)
        Paths taken in ``phi``, mapped to ``theta``.
    vanilla_plain, natural_plain : ndarray of shape (n_steps + 1, 2)
        Paths taken in ``theta`` itself.
    vanilla_deviation, natural_deviation : ndarray of shape (n_steps + 1,)
        ``||path - path_plain||`` after each step: grows for vanilla, stays at rounding error
        for natural (reparametrisation invariance).
    """

    vanilla: np.ndarray
    natural: np.ndarray
    vanilla_plain: np.ndarray
    natural_plain: np.ndarray
    vanilla_deviation: np.ndarray
    natural_deviation: np.ndarray


def reparametrised_paths(
    bandit: SoftmaxBandit, theta0, eps: float, n_steps: int, A=None, b=None
) -> ReparametrisedPaths:
    """Both ascent paths with and without the reparametrisation ``theta = A phi + b``.

    :func:`ascent_path` four times: vanilla and natural, in ``phi`` and in ``theta``. In
    ``theta`` the vanilla step is ``alpha A A^T g`` and depends on ``A``; the natural step is
    ``F^-1 g`` scaled to ``1/2 d^T F d = eps`` in either coordinates, so its path does not move.

    Parameters
    ----------
    bandit : SoftmaxBandit
    theta0 : array-like of shape (2,)
    eps : float
        > 0.
    n_steps : int
        >= 1.
    A : array-like of shape (2, 2), optional
        Invertible; default the identity.
    b : array-like of shape (2,), optional

    Returns
    -------
    ReparametrisedPaths

    Notes
    -----
    Derived in ``notebooks/05_natural_gradient.ipynb``; drawn by the reparametrisation
    explorer of ``course_utils.widgets``.
    """
    paths = {
        (natural, plain): ascent_path(
            bandit,
            theta0,
            eps,
            n_steps,
            natural=natural,
            A=None if plain else A,
            b=None if plain else b,
        )
        for natural in (False, True)
        for plain in (False, True)
    }
    return ReparametrisedPaths(
        vanilla=paths[False, False],
        natural=paths[True, False],
        vanilla_plain=paths[False, True],
        natural_plain=paths[True, True],
        vanilla_deviation=np.linalg.norm(paths[False, False] - paths[False, True], axis=1),
        natural_deviation=np.linalg.norm(paths[True, False] - paths[True, True], axis=1),
    )
