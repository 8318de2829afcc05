# cell: policy_kl
# test: test_policy_kl
# points: 2
def policy_kl(k, sigma, k_new, sigma_new, s):
    # the state average enters only through E[s^2]:
    # D = log(s'/s) + (s^2 + (k-k')^2 E[s^2]) / (2 s'^2) - 1/2
    m2 = np.mean(np.square(s))
    return float(
        np.log(sigma_new)
        - np.log(sigma)
        + (sigma**2 + (k - k_new) ** 2 * m2) / (2 * sigma_new**2)
        - 0.5
    )
