# cell: conjugate_gradient
# test: test_conjugate_gradient
# points: 3
def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    x = np.zeros(len(b))
    r = np.array(b, dtype=np.float64)
    p = r.copy()
    it = 0
    while it < iters and np.dot(r, r) >= tol:
        Ap = np.asarray(matvec(p), dtype=float)
        alpha = np.dot(r, r) / np.dot(p, Ap)
        x += alpha * p
        r_new = r - alpha * Ap
        beta = np.dot(r_new, r_new) / np.dot(r, r)
        p = r_new + beta * p
        r = r_new
        it += 1
    return x
