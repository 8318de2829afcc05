# cell: run
# test: test_run
# points: 1.5
# message: entry 0 is the start, before any step
def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    # records after each step: the start is missing and every entry is one step late
    x = np.array(x0, dtype=float)
    eta, visit_j = np.empty(n_iter + 1), np.empty(n_iter + 1)
    for t in range(n_iter + 1):
        g, F = gradient_and_fisher(x)
        x = x + lr * (natural_direction(g, F, damping) if natural else g)
        eta[t], visit_j[t] = reward_and_visitation(x)
    return eta, visit_j
