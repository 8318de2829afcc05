# cell: H
# test: test_H
# points: 2
H = None
theta = np.array([k, sigma])
H = hessian(lambda theta_new: policy_kl(k, sigma, theta_new[0], theta_new[1], s), theta)
