# cell: reinforce_terms
# test: test_reinforce_terms
# points: 1
# message: is G_t the reward to go from t (not the whole return)?
def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    # the whole discounted return G_0 in place of the reward to go G_t
    discount = gamma ** np.arange(states.shape[1])
    G0 = (rewards * discount).sum(axis=1, keepdims=True)
    psi = gaussian_score(k, sigma, states, actions)
    return np.einsum("nt,ntk->nk", discount * (G0 - baseline), psi)
