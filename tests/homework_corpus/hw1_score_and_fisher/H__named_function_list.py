# cell: H
# test: test_H
# points: 2
H = None


def kl_from_old(theta_new):
    k_new, sigma_new = theta_new
    return policy_kl(k, sigma, k_new, sigma_new, s)


H = hessian(kl_from_old, np.array([k, sigma], dtype=float)).tolist()
