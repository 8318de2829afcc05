# cell: policy_kl
# test: test_policy_kl
# points: 0.5
# message: not 0: look at the constant terms
def policy_kl(k, sigma, k_new, sigma_new, s):
    mu, mu_new = k * np.asarray(s, dtype=float), k_new * np.asarray(s, dtype=float)
    return float(
        np.mean(np.log(sigma_new / sigma) + (sigma**2 + (mu - mu_new) ** 2) / (2 * sigma_new**2))
    )
