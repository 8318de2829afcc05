# cell: objective
# test: test_objective
# points: 0
# message: check the Beta's variance

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective(theta, a_target):
    alpha, beta = np.exp(theta)
    k = alpha + beta
    var = alpha * beta / (k**2 * (k - 1))
    return float(-(var + (alpha / k - a_target) ** 2))
