# cell: objective
# test: test_objective
# points: 1

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective(theta, a_target):
    alpha, beta = np.exp(theta)
    mean = alpha / (alpha + beta)
    var = mean * (1 - mean) / (alpha + beta + 1)
    return -(var + (mean - a_target) ** 2)
