# cell: fisher
# test: test_fisher
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def fisher(theta):
    alpha, beta = np.exp(theta)
    c = polygamma(1, alpha + beta)
    F_ab = np.array([[polygamma(1, alpha) - c, -c], [-c, polygamma(1, beta) - c]])
    J = np.diag([alpha, beta])
    return J.T @ F_ab @ J
