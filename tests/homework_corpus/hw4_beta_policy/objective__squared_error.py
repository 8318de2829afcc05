# cell: objective
# test: test_objective
# points: 0
# message: opposite sign

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective(theta, a_target):
    alpha, beta = np.exp(theta)
    k = alpha + beta
    return float(alpha * beta / (k**2 * (k + 1)) + (alpha / k - a_target) ** 2)
