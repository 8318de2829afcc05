# cell: score
# test: test_score
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def score(theta, a):
    alpha, beta = np.exp(theta)
    a = np.asarray(a, dtype=float)
    s = digamma(alpha + beta)
    out = np.empty(a.shape + (2,))
    out[..., 0] = alpha * (np.log(a) - digamma(alpha) + s)
    out[..., 1] = beta * (np.log1p(-a) - digamma(beta) + s)
    return out.tolist()
