# cell: reinforce_terms
# test: test_reinforce_terms
# points: 1.5
# message: a baseline b should change a term by -sum_t gamma^t psi_t b(s_t)
def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    # the baseline argument is ignored
    discount = gamma ** np.arange(states.shape[1])
    G = np.cumsum((rewards * discount)[:, ::-1], axis=1)[:, ::-1] / discount
    psi = gaussian_score(k, sigma, states, actions)
    return np.einsum("nt,ntk->nk", discount * G, psi)
