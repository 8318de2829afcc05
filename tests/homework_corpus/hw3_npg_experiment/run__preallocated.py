# cell: run
# test: test_run
# points: 3
def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    x = np.array(x0, dtype=float)
    eta = np.empty(n_iter + 1)
    visit_j = np.empty(n_iter + 1)
    for t in range(n_iter + 1):
        eta[t], visit_j[t] = reward_and_visitation(x)
        if t == n_iter:
            break
        g, F = gradient_and_fisher(x)
        x = x + lr * (natural_direction(g, F, damping) if natural else g)
    return eta, visit_j
