# cell: x_hat
# test: test_x_hat
# points: 2
x_hat = None


def damped_fisher_times(v):
    v = np.asarray(v, dtype=float)
    return np.asarray(fisher_vector_product(psi, v, weights)) + damping * v


x_hat = conjugate_gradient(damped_fisher_times, g_hat, 10)
