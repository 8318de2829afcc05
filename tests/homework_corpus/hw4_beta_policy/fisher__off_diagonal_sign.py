# cell: fisher
# test: test_fisher
# points: 1
# message: the off-diagonal entry does not

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def fisher(theta):
    alpha, beta = np.exp(theta)
    c = polygamma(1, alpha + beta)
    return np.array(
        [
            [alpha**2 * (polygamma(1, alpha) - c), alpha * beta * c],
            [alpha * beta * c, beta**2 * (polygamma(1, beta) - c)],
        ]
    )
