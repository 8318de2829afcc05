# cell: score
# test: test_score
# points: 1
# message: standard errors from 0

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def score(theta, a):
    alpha, beta = np.exp(theta)
    a = np.asarray(a, dtype=float)
    return np.stack(
        [alpha * (np.log(a) - digamma(alpha)), beta * (np.log1p(-a) - digamma(beta))], axis=-1
    )
