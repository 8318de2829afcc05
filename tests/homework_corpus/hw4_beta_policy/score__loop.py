# cell: score
# test: test_score
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
import math


def score(theta, a):
    alpha, beta = math.exp(theta[0]), math.exp(theta[1])
    a = np.asarray(a, dtype=float)
    s = digamma(alpha + beta)
    out = np.zeros(a.shape + (2,))
    for idx in np.ndindex(a.shape):
        x = a[idx]
        out[idx] = (
            alpha * (math.log(x) - digamma(alpha) + s),
            beta * (math.log(1 - x) - digamma(beta) + s),
        )
    return out
