# cell: policy_kl
# test: test_policy_kl
# points: 1
# message: it matches KL(new || old): the course's KL has the OLD policy first
def policy_kl(k, sigma, k_new, sigma_new, s):
    s = np.asarray(s, dtype=float)
    return float(np.mean(kl_gaussian(k_new * s, sigma_new, k * s, sigma)))
