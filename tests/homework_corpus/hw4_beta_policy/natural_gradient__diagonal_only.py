# cell: natural_gradient
# test: test_natural_gradient
# points: 0.5
# message: diagonal of F only

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def natural_gradient(theta, a_target):
    return objective_gradient(theta, a_target) / np.diag(fisher(theta))
