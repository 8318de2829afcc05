# cell: fisher
# test: test_fisher
# points: 0
# message: eigenvalue

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def fisher(theta):
    alpha, beta = np.exp(theta)
    c = digamma(alpha + beta)
    return np.array(
        [
            [alpha**2 * (digamma(alpha) - c), -alpha * beta * c],
            [-alpha * beta * c, beta**2 * (digamma(beta) - c)],
        ]
    )
