# cell: fisher_log_std
# test: test_fisher_log_std
# points: 2
def fisher_log_std(sigma, second_moment):
    # E[(xi^2 - 1)^2] = 3 - 2 + 1 = 2 for xi ~ N(0, 1); the cross term has odd moments only
    rho_rho = 3.0 - 2.0 + 1.0
    return [[second_moment / (sigma * sigma), 0.0], [0.0, rho_rho]]
