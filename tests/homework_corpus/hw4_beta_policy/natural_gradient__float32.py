# cell: natural_gradient
# test: test_natural_gradient
# points: 2

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def natural_gradient(theta, a_target):
    F = np.asarray(fisher(theta), dtype=np.float32)
    g = np.asarray(objective_gradient(theta, a_target), dtype=np.float32)
    return np.linalg.solve(F, g)
