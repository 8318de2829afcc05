# cell: H
# test: test_H
# points: 1
# message: at (k_new, sigma_new) = (k, sigma)
H = None
# the Hessian taken at the origin of k and at sigma = 1 instead of at theta' = theta
H = hessian(lambda t: policy_kl(k, sigma, t[0], t[1], s), np.array([0.0, 1.0]))
