# cell: objective
# test: test_objective
# points: 0
# message: reward of the MEAN action

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective(theta, a_target):
    alpha, beta = np.exp(theta)
    return float(-((alpha / (alpha + beta) - a_target) ** 2))
