# cell: natural_gradient
# test: test_natural_gradient
# points: 2

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def natural_gradient(theta, a_target):
    return np.linalg.inv(fisher(theta)) @ objective_gradient(theta, a_target)
