"""The 1-D linear-Gaussian k / sigma example of the lecture, in closed form and by sampling.

Setting (``notebooks/MATH.md`` section 3): ``s_0 ~ N(mu0, v0)``, ``a_t ~ N(k s_t, sigma^2)``,
``s_{t+1} = s_t + a_t``, ``r_t = -(q s_t^2 + R a_t^2)``, ``J(k, sigma) = E[sum_t gamma^t r_t]``.
With ``alpha = (1 + k)^2`` the return is finite only while ``gamma * alpha < 1``.

Closed forms (all checked against finite differences and Monte Carlo in ``tests/``):

- ``P(k) = (q + R k^2) / (1 - gamma alpha)``          (``V(s) = -P s^2 - const``)
- ``S(k, sigma) = (m0 + gamma sigma^2 / (1 - gamma)) / (1 - gamma alpha)``, ``m0 = mu0^2 + v0``
- ``J = -P m0 - (R + gamma P) sigma^2 / (1 - gamma)``
- ``dJ/dk = 2 (R + gamma P) S (k_g - k)``, ``k_g = -gamma P / (R + gamma P)``
- ``dJ/dsigma = -2 sigma (R + gamma P) / (1 - gamma)``
- ``F = diag(S / sigma^2, 2 / ((1 - gamma) sigma^2))``
- ``F^-1 g = (2 sigma^2 (R + gamma P)(k_g - k), -(R + gamma P) sigma^3)``

One module per concept; this package re-exports their public names (``gaussian.optimal_gain``):

- :mod:`.formulas`: the optimal gain and the Gaussian policy's score;
- :mod:`.closed_forms`: :class:`LinearGaussianLQR`, the setting and every closed form above
  (also in log sigma); its other methods come from two mixins:
- :mod:`.paths`: trust-region ascent paths and exact gradient flows, the angle between arrows;
- :mod:`.sampling`: rollouts, the REINFORCE gradient and the sampled Fisher, and how far an
  estimated arrow deviates across a reference direction;
- :mod:`.policy_kl`: the KL of the policy over a rollout and the natural step's exact KL.

Derived in ``notebooks/06_gaussian_k_sigma.ipynb``.
"""

from .closed_forms import LinearGaussianLQR
from .formulas import gaussian_score, optimal_gain
from .paths import AscentPath, GradientFlow, angle_between
from .policy_kl import NaturalStepKL, discount_horizon, discounted_kl, natural_step_kl
from .sampling import deviation_across

__all__ = [
    "LinearGaussianLQR",
    "AscentPath",
    "GradientFlow",
    "optimal_gain",
    "gaussian_score",
    "angle_between",
    "deviation_across",
    "discount_horizon",
    "discounted_kl",
    "NaturalStepKL",
    "natural_step_kl",
]
