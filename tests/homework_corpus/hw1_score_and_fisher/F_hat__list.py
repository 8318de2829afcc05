# cell: F_hat
# test: test_F_hat
# points: 1
F_hat = None
scores_here = score(k, sigma, s, a)
F_hat = np.asarray(sampled_fisher(scores_here)).tolist()
