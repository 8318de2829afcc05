# cell: objective_gradient
# test: test_objective_gradient
# points: 0.5
# message: term by term

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective_gradient(theta, a_target):
    alpha, beta = np.exp(theta)
    m = alpha / (alpha + beta)
    dJ_dm = -2 * (m - a_target)
    return np.array([dJ_dm * m * (1 - m), -dJ_dm * m * (1 - m)])
