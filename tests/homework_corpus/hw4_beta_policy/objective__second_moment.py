# cell: objective
# test: test_objective
# points: 1

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective(theta, a_target):
    alpha, beta = np.exp(theta)
    m1 = alpha / (alpha + beta)
    m2 = alpha * (alpha + 1) / ((alpha + beta) * (alpha + beta + 1))  # E[a^2]
    return float(-(m2 - 2 * a_target * m1 + a_target**2))
