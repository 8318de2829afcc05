# cell: reinforce_terms
# test: test_reinforce_terms
# points: 2
def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    discount = gamma ** np.arange(states.shape[1])
    G = np.cumsum((rewards * discount)[:, ::-1], axis=1)[:, ::-1] / discount
    psi = gaussian_score(k, sigma, states, actions)
    return np.einsum("nt,ntk->nk", discount * (G - baseline), psi)
