# cell: score
# test: test_score
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def score(theta, a):
    alpha, beta = np.exp(theta)
    a = np.asarray(a, dtype=np.float32)
    s = digamma(alpha + beta)
    out = np.stack(
        [alpha * (np.log(a) - digamma(alpha) + s), beta * (np.log1p(-a) - digamma(beta) + s)], -1
    )
    return out.astype(np.float32)
