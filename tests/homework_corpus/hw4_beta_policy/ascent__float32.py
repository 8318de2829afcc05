# cell: ascent
# test: test_ascent
# points: 0
# message: float64 is needed

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def ascent(theta0, a_target, eps, n_steps, natural):
    theta = np.array(theta0, dtype=np.float32)
    path = [theta]
    for _ in range(n_steps):
        g = objective_gradient(theta, a_target)
        if natural:
            w = natural_gradient(theta, a_target)
            d = np.sqrt(2 * eps / (g @ w)) * w
        else:
            d = np.sqrt(eps / (g @ g)) * g
        theta = (theta + d).astype(np.float32)
        path.append(theta)
    return np.array(path, dtype=np.float32)
