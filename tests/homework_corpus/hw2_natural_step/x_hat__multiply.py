# cell: x_hat
# test: test_x_hat
# points: 0.5
# message: a product, where the system asks to solve
x_hat = None
# (F + damping I) g_hat: the matrix applied to g_hat instead of solved for
x_hat = fisher_vector_product(psi, g_hat, weights) + damping * g_hat
