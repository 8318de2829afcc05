# cell: ascent
# test: test_ascent
# points: 0
# message: update theta in place

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def ascent(theta0, a_target, eps, n_steps, natural):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(n_steps):
        g = objective_gradient(theta, a_target)
        if natural:
            w = natural_gradient(theta, a_target)
            theta += np.sqrt(2 * eps / (g @ w)) * w
        else:
            theta += np.sqrt(eps / (g @ g)) * g
        path.append(theta)
    return np.array(path)
