# cell: policy_kl
# test: test_policy_kl
# points: 0.5
# message: (the sum): D averages over the states
def policy_kl(k, sigma, k_new, sigma_new, s):
    s = np.asarray(s, dtype=float)
    return float(np.sum(kl_gaussian(k * s, sigma, k_new * s, sigma_new)))
