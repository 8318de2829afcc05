# cell: ascent
# test: test_ascent
# points: 0
# message: include theta0 as the first row

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def ascent(theta0, a_target, eps, n_steps, natural):
    theta = np.array(theta0, dtype=float)
    path = []
    for _ in range(n_steps):
        g = objective_gradient(theta, a_target)
        if natural:
            w = natural_gradient(theta, a_target)
            d = np.sqrt(2 * eps / (g @ w)) * w
        else:
            d = np.sqrt(eps / (g @ g)) * g
        theta = theta + d
        path.append(theta)
    return np.array(path)
