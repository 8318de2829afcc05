# cell: fisher
# test: test_fisher
# points: 1
# message: rather than in theta = (u, v)

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def fisher(theta):
    alpha, beta = np.exp(theta)
    c = polygamma(1, alpha + beta)
    return np.array([[polygamma(1, alpha) - c, -c], [-c, polygamma(1, beta) - c]])
