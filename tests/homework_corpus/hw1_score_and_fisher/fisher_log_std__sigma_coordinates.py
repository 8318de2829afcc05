# cell: fisher_log_std
# test: test_fisher_log_std
# points: 0.5
# message: differentiate log pi in rho = log sigma
def fisher_log_std(sigma, second_moment):
    # the Fisher in (k, sigma), unchanged: the change of coordinates forgotten
    return np.diag([second_moment / sigma**2, 2.0 / sigma**2])
