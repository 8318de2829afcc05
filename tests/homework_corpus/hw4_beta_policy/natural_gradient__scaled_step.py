# cell: natural_gradient
# test: test_natural_gradient
# points: 0.5
# message: not a step scaled to a trust region

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def natural_gradient(theta, a_target):
    g = objective_gradient(theta, a_target)
    x = np.linalg.solve(fisher(theta), g)
    return np.sqrt(2 * 0.01 / (g @ x)) * x
