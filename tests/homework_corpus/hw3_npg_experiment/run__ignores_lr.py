# cell: run
# test: test_run
# points: 2
# message: Are lr and damping passed on
def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    # the unit learning rate of Kakade's figure hard-wired: lr is ignored
    x = np.array(x0, dtype=float)
    eta, visit_j = np.empty(n_iter + 1), np.empty(n_iter + 1)
    for t in range(n_iter + 1):
        eta[t], visit_j[t] = reward_and_visitation(x)
        if t < n_iter:
            g, F = gradient_and_fisher(x)
            x = x + (natural_direction(g, F, damping) if natural else g)
    return eta, visit_j
