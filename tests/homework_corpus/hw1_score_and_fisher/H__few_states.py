# cell: H
# test: test_H
# points: 1
# message: with all the states?
H = None
theta = np.array([k, sigma])
H = hessian(lambda t: policy_kl(k, sigma, t[0], t[1], s[:1000]), theta)
