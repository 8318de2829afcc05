# cell: natural_step
# test: test_natural_step
# points: 3
def natural_step(g, F, eps):
    # F = L L^T: two triangular solves; g^T F^-1 g = ||L^-1 g||^2
    L = np.linalg.cholesky(np.asarray(F, dtype=float))
    y = np.linalg.solve(L, np.asarray(g, dtype=float))
    x = np.linalg.solve(L.T, y)
    return np.sqrt(2 * eps) / np.linalg.norm(y) * x
