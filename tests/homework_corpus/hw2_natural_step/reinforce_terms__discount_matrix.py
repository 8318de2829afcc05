# cell: reinforce_terms
# test: test_reinforce_terms
# points: 2
def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    # the reward to go as a matrix product: G = r M with M[t', t] = gamma^(t' - t) for t' >= t;
    # the score written out (a ~ N(k s, sigma^2))
    T = states.shape[1]
    lag = np.arange(T)[:, None] - np.arange(T)[None, :]
    M = np.where(lag >= 0, gamma ** np.maximum(lag, 0), 0.0)
    G = rewards @ M
    u = actions - k * states
    psi_k = u * states / sigma**2
    psi_sigma = (u**2 - sigma**2) / sigma**3
    w = gamma ** np.arange(T) * (G - baseline)
    return np.column_stack([(w * psi_k).sum(axis=1), (w * psi_sigma).sum(axis=1)])
