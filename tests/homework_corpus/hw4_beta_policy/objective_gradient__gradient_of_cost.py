# cell: objective_gradient
# test: test_objective_gradient
# points: 0.5
# message: opposite sign

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective_gradient(theta, a_target):
    alpha, beta = np.exp(theta)
    k = alpha + beta
    m = alpha / k
    dJ_dm = -(1 - 2 * m) / (k + 1) - 2 * (m - a_target)
    dJ_dk = m * (1 - m) / (k + 1) ** 2
    return -np.array([dJ_dm * m * (1 - m) + dJ_dk * alpha, -dJ_dm * m * (1 - m) + dJ_dk * beta])
