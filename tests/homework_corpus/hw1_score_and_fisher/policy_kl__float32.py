# cell: policy_kl
# test: test_policy_kl
# points: 0
# message: float64 is needed
def policy_kl(k, sigma, k_new, sigma_new, s):
    s = np.asarray(s, dtype=np.float32)
    return np.float32(np.mean(kl_gaussian(k * s, sigma, k_new * s, sigma_new)))
