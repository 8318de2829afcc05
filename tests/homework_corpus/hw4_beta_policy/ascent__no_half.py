# cell: ascent
# test: test_ascent
# points: 3
# message: did you drop the 1/2?

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def ascent(theta0, a_target, eps, n_steps, natural):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(n_steps):
        g = objective_gradient(theta, a_target)
        if natural:
            w = natural_gradient(theta, a_target)
            d = np.sqrt(eps / (g @ w)) * w
        else:
            d = np.sqrt(eps / (g @ g)) * g
        theta = theta + d
        path.append(theta)
    return np.array(path)
