# cell: conjugate_gradient
# test: test_conjugate_gradient
# points: 3
def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    b = np.asarray(b, dtype=float)
    x = np.zeros_like(b)
    r = b.copy()
    p = b.copy()
    rr = r @ r
    for _ in range(iters):
        if rr < tol:
            break
        Ap = matvec(p)
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = r @ r
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x
