# cell: F_hat
# test: test_F_hat
# points: 1
F_hat = None
F_hat = np.asarray(sampled_fisher(score(k, sigma, s, a)), dtype=np.float32)
