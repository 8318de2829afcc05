# cell: F_hat
# test: test_F_hat
# points: 0.5
# message: is not sampled_fisher(score(k, sigma, s, a))
F_hat = None
# the exact Fisher of the exercise's text instead of the estimate from the samples
F_hat = np.diag([(0.3**2 + 1.0) / sigma**2, 2.0 / sigma**2])
