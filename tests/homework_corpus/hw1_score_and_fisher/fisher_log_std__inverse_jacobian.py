# cell: fisher_log_std
# test: test_fisher_log_std
# points: 0.5
# message: your entry [1, 1] is
def fisher_log_std(sigma, second_moment):
    # d/drho taken as (1/sigma) d/dsigma: J^-1 instead of J
    return np.diag([second_moment / sigma**2, 2.0 / sigma**4])
