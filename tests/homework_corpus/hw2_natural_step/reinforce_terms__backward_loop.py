# cell: reinforce_terms
# test: test_reinforce_terms
# points: 2
def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    # G_t = r_t + gamma G_{t+1}, backwards over time (vectorised over trajectories)
    n, T = rewards.shape
    G = np.zeros((n, T))
    running = np.zeros(n)
    for t in range(T - 1, -1, -1):
        running = rewards[:, t] + gamma * running
        G[:, t] = running
    psi = gaussian_score(k, sigma, states, actions)  # (n, T, 2)
    weight = gamma ** np.arange(T) * (G - baseline)  # (n, T)
    return (weight[:, :, None] * psi).sum(axis=1)
