# cell: policy_kl
# test: test_policy_kl
# points: 2
def policy_kl(k, sigma, k_new, sigma_new, s):
    s = np.asarray(s, dtype=float)
    return float(np.mean(kl_gaussian(k * s, sigma, k_new * s, sigma_new)))
