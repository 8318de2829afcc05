# cell: x_hat
# test: test_x_hat
# points: 0.5
# message: the damping in the matvec?
x_hat = None
x_hat = conjugate_gradient(lambda v: fisher_vector_product(psi, v, weights), g_hat, iters=10)
