# cell: H
# test: test_H
# points: 0
# message: float64 is needed
H = None
theta = np.array([k, sigma])
H = hessian(lambda t: policy_kl(k, sigma, t[0], t[1], s), theta).astype(np.float32)
