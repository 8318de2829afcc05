# cell: H
# test: test_H
# points: 1
# message: is H the Hessian in (k_new, sigma_new)
H = None
# "KL = 1/2 d^T H d", so H taken as half the second derivative (the 1/2 counted twice)
theta = np.array([k, sigma])
H = 0.5 * hessian(lambda t: policy_kl(k, sigma, t[0], t[1], s), theta)
