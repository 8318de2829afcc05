# cell: x_hat
# test: test_x_hat
# points: 2
x_hat = None
x_hat = conjugate_gradient(
    lambda v: fisher_vector_product(psi, v, weights) + damping * v, g_hat, iters=10
)
