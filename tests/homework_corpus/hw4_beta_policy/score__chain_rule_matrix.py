# cell: score
# test: test_score
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def score(theta, a):
    # the score in (alpha, beta), then the chain rule d(alpha, beta)/d(u, v) = diag(alpha, beta)
    ab = np.exp(np.asarray(theta, dtype=float))
    a = np.asarray(a, dtype=float)
    stats = np.stack([np.log(a), np.log1p(-a)], axis=-1)  # sufficient statistics
    mean_stats = digamma(ab) - digamma(ab.sum())  # E[log a], E[log(1 - a)]
    return (stats - mean_stats) * ab
