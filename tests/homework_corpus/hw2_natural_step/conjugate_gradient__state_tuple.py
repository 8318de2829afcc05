# cell: conjugate_gradient
# test: test_conjugate_gradient
# points: 3
def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    # the state (x, r, p, r^T r) advanced as one tuple; the result returned as a list
    b = np.asarray(b, dtype=float)
    state = (np.zeros(b.size), b, b, float(np.inner(b, b)))
    for _ in range(iters):
        x, r, p, rr = state
        if rr < tol:
            break
        Ap = matvec(p)
        alpha = rr / float(np.inner(p, Ap))
        r_next = r - alpha * Ap
        rr_next = float(np.inner(r_next, r_next))
        state = (x + alpha * p, r_next, r_next + (rr_next / rr) * p, rr_next)
    return state[0].tolist()
