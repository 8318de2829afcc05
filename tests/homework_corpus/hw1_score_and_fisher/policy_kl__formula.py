# cell: policy_kl
# test: test_policy_kl
# points: 2
def policy_kl(k, sigma, k_new, sigma_new, s):
    dmu = (k - k_new) * np.asarray(s, dtype=np.float64)
    per_state = np.log(sigma_new / sigma) + (sigma**2 + dmu**2) / (2 * sigma_new**2) - 0.5
    return per_state.mean()
