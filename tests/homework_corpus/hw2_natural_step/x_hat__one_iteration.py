# cell: x_hat
# test: test_x_hat
# points: 0.5
# message: x_hat is not what your conjugate_gradient and fisher_vector_product give
x_hat = None
x_hat = conjugate_gradient(
    lambda v: fisher_vector_product(psi, v, weights) + damping * v, g_hat, iters=1
)
