# cell: fisher
# test: test_fisher
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def fisher(theta):
    ab = np.exp(np.asarray(theta, dtype=float))
    F_ab = np.diag(polygamma(1, ab)) - polygamma(1, ab.sum())
    return (np.outer(ab, ab) * F_ab).astype(np.float32)
