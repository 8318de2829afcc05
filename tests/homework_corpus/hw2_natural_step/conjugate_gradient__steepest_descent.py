# cell: conjugate_gradient
# test: test_conjugate_gradient
# points: 1
# message: conjugate gradient is exact in n iterations
def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    # steepest descent: the search direction is the residual, never made conjugate
    b = np.asarray(b, dtype=float)
    x, r = np.zeros_like(b), b.copy()
    for _ in range(iters):
        if r @ r < tol:
            break
        Ar = matvec(r)
        alpha = (r @ r) / (r @ Ar)
        x = x + alpha * r
        r = r - alpha * Ar
    return x
