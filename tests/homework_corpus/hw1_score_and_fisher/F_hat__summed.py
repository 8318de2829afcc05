# cell: F_hat
# test: test_F_hat
# points: 0
# message: is not sampled_fisher(score(k, sigma, s, a))
F_hat = None
psi_all = score(k, sigma, s, a)
F_hat = psi_all.T @ psi_all
