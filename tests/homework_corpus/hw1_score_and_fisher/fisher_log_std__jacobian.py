# cell: fisher_log_std
# test: test_fisher_log_std
# points: 2
def fisher_log_std(sigma, second_moment):
    # F' = J^T F J with the Fisher in (k, sigma) and J = d(k, sigma)/d(k, rho) = diag(1, sigma)
    F_sigma = np.array([[second_moment / sigma**2, 0.0], [0.0, 2.0 / sigma**2]])
    J = np.array([[1.0, 0.0], [0.0, sigma]])
    return J.T @ F_sigma @ J
