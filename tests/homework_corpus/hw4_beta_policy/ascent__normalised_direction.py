# cell: ascent
# test: test_ascent
# points: 4

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def ascent(theta0, a_target, eps, n_steps, natural):
    # a unit direction, then the length that puts the step on the trust region's boundary
    theta = np.array(theta0, dtype=np.float64)
    out = [theta.copy()]
    for _ in range(n_steps):
        g = np.asarray(objective_gradient(theta, a_target), dtype=float)
        if natural:
            u = np.linalg.solve(fisher(theta), g)
            u = u / np.linalg.norm(u)
            length = np.sqrt(2 * eps / (u @ fisher(theta) @ u))
        else:
            u = g / np.linalg.norm(g)
            length = np.sqrt(eps)
        theta = theta + length * u
        out.append(theta.copy())
    return np.array(out)
