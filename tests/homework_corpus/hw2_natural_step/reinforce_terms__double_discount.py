# cell: reinforce_terms
# test: test_reinforce_terms
# points: 1
# message: look at the discounting of the reward to go
def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    # the reversed cumsum of gamma^t r_t used as G_t without dividing by gamma^t
    discount = gamma ** np.arange(states.shape[1])
    G = np.cumsum((rewards * discount)[:, ::-1], axis=1)[:, ::-1]
    psi = gaussian_score(k, sigma, states, actions)
    return np.einsum("nt,ntk->nk", discount * (G - baseline), psi)
