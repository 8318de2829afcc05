# cell: ascent
# test: test_ascent
# points: 4

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def ascent(theta0, a_target, eps, n_steps, natural):
    thetas = [np.asarray(theta0, dtype=float)]
    for _ in range(n_steps):
        theta = thetas[-1]
        g = np.asarray(objective_gradient(theta, a_target), dtype=float)
        if natural:
            F = np.asarray(fisher(theta), dtype=float)
            x = np.linalg.solve(F, g)
            d = x * np.sqrt(2 * eps / (x @ F @ x))
        else:
            d = g * np.sqrt(eps) / np.linalg.norm(g)
        thetas.append(theta + d)
    return np.stack(thetas)
