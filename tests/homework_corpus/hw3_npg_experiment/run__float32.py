# cell: run
# test: test_run
# points: 0
# message: float64 is needed
def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    x = np.array(x0, dtype=np.float32)
    eta = np.empty(n_iter + 1, dtype=np.float32)
    visit_j = np.empty(n_iter + 1, dtype=np.float32)
    for t in range(n_iter + 1):
        eta[t], visit_j[t] = reward_and_visitation(x)
        if t < n_iter:
            g, F = gradient_and_fisher(x)
            x = (x + lr * (natural_direction(g, F, damping) if natural else g)).astype(np.float32)
    return eta, visit_j
