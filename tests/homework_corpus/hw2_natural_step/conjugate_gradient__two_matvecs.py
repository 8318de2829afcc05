# cell: conjugate_gradient
# test: test_conjugate_gradient
# points: 2.5
# message: one product per iteration
def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    # the residual recomputed as b - A x every iteration: a second matvec per iteration
    b = np.asarray(b, dtype=float)
    x = np.zeros_like(b)
    r = b.copy()
    p = b.copy()
    for _ in range(iters):
        rr = r @ r
        if rr < tol:
            break
        Ap = matvec(p)
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        r = b - matvec(x)
        p = r + (r @ r) / rr * p
    return x
