# cell: score
# test: test_score
# points: 2
# message: apply the chain rule

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def score(theta, a):
    alpha, beta = np.exp(theta)
    a = np.asarray(a, dtype=float)
    s = digamma(alpha + beta)
    return np.stack([np.log(a) - digamma(alpha) + s, np.log1p(-a) - digamma(beta) + s], axis=-1)
