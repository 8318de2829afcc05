# cell: x_hat
# test: test_x_hat
# points: 2
x_hat = None


def make_matvec(scores, w, lam):
    return lambda v: fisher_vector_product(scores, v, w) + lam * np.asarray(v)


x_hat = np.asarray(
    conjugate_gradient(make_matvec(psi, weights, damping), g_hat, iters=10), dtype=np.float32
)
