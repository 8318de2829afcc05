# cell: reinforce_terms
# test: test_reinforce_terms
# points: 2
def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    # the discounted sum gamma^t G_t = sum_{t' >= t} gamma^t' r_t' directly; float32 result
    discounted = rewards * gamma ** np.arange(states.shape[1])
    to_go = np.flip(np.cumsum(np.flip(discounted, axis=1), axis=1), axis=1)  # gamma^t G_t
    w = to_go - gamma ** np.arange(states.shape[1]) * baseline
    psi = gaussian_score(k, sigma, states, actions)
    return np.stack(
        [np.sum(w * psi[..., 0], axis=1), np.sum(w * psi[..., 1], axis=1)], axis=-1
    ).astype(np.float32)
