# cell: F_hat
# test: test_F_hat
# points: 0.5
# message: is not sampled_fisher(score(k, sigma, s, a))
F_hat = None
F_hat = np.cov(score(k, sigma, s, a).T)
