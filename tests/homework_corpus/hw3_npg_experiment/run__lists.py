# cell: run
# test: test_run
# points: 3
def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    # record, then step, appending to lists; two arrays at the end,
    # returned as a list [eta, visit_j]
    x = np.asarray(x0, dtype=float).copy()
    eta, visit_j = [], []
    for _ in range(n_iter):
        e, v = reward_and_visitation(x)
        eta.append(float(e))
        visit_j.append(float(v))
        g, F = gradient_and_fisher(x)
        x += lr * np.asarray(natural_direction(g, F, damping) if natural else g, dtype=float)
    e, v = reward_and_visitation(x)
    return [np.array(eta + [float(e)]), np.array(visit_j + [float(v)])]
