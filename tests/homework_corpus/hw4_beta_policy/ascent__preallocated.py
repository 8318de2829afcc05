# cell: ascent
# test: test_ascent
# points: 4

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def ascent(theta0, a_target, eps, n_steps, natural):
    path = np.zeros((n_steps + 1, 2))
    path[0] = theta0
    for t in range(n_steps):
        g = np.asarray(objective_gradient(path[t], a_target), dtype=float)
        x = np.asarray(natural_gradient(path[t], a_target), dtype=float) if natural else g
        quad = g @ x  # g^T F^-1 g or g^T g
        scale = np.sqrt(2 * eps / quad) if natural else np.sqrt(eps / quad)
        path[t + 1] = path[t] + scale * x
    return path
