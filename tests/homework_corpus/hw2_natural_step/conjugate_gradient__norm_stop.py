# cell: conjugate_gradient
# test: test_conjugate_gradient
# points: 3
def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    # beta in the Polak-Ribiere form r_new^T (r_new - r) / r^T r (equal to Fletcher-Reeves here)
    b = np.asarray(b, dtype=float)
    x, r = np.zeros_like(b), b.copy()
    p = r.copy()
    for _ in range(iters):
        if np.linalg.norm(r) ** 2 < tol:
            break
        Ap = matvec(p)
        alpha = (r @ r) / (p @ Ap)
        x += alpha * p
        r_new = r - alpha * Ap
        p = r_new + (r_new @ (r_new - r)) / (r @ r) * p
        r = r_new
    return x
