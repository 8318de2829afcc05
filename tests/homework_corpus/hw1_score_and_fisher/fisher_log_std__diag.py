# cell: fisher_log_std
# test: test_fisher_log_std
# points: 2
def fisher_log_std(sigma, second_moment):
    return np.diag([second_moment / sigma**2, 2.0])
