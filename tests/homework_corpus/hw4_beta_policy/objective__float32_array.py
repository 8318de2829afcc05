# cell: objective
# test: test_objective
# points: 1

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective(theta, a_target):
    ab = np.exp(np.asarray(theta, dtype=np.float32))
    k = ab.sum()
    m = ab[0] / k
    return np.float32(-(ab[0] * ab[1] / (k * k * (k + 1)) + (m - a_target) ** 2))
