# cell: score
# test: test_score
# points: 0
# message: the components are on the first axis

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def score(theta, a):
    alpha, beta = np.exp(theta)
    a = np.asarray(a, dtype=float)
    s = digamma(alpha + beta)
    return np.stack(
        [alpha * (np.log(a) - digamma(alpha) + s), beta * (np.log1p(-a) - digamma(beta) + s)]
    )
