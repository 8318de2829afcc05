# cell: fisher
# test: test_fisher
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def fisher(theta):
    alpha, beta = float(np.exp(theta[0])), float(np.exp(theta[1]))
    c = float(polygamma(1, alpha + beta))
    f11 = alpha**2 * (float(polygamma(1, alpha)) - c)
    f22 = beta**2 * (float(polygamma(1, beta)) - c)
    f12 = -alpha * beta * c
    return [[f11, f12], [f12, f22]]
