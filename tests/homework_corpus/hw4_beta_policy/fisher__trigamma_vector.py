# cell: fisher
# test: test_fisher
# points: 3

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def fisher(theta):
    alpha, beta = np.exp(theta)
    t_a, t_b, t_s = polygamma(1, np.array([alpha, beta, alpha + beta]))
    return np.array(
        [
            [alpha * alpha * (t_a - t_s), -alpha * beta * t_s],
            [-alpha * beta * t_s, beta * beta * (t_b - t_s)],
        ]
    )
