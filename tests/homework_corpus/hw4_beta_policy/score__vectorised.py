# cell: score
# test: test_score
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def score(theta, a):
    """Score of Beta(a; e^u, e^v) in (u, v)."""
    u, v = theta
    alpha, beta = np.exp(u), np.exp(v)
    a = np.asarray(a, dtype=float)
    d_alpha = np.log(a) - digamma(alpha) + digamma(alpha + beta)
    d_beta = np.log(1 - a) - digamma(beta) + digamma(alpha + beta)
    return np.stack([alpha * d_alpha, beta * d_beta], axis=-1)
