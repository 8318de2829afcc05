# cell: natural_direction
# test: test_natural_direction
# points: 2
def natural_direction(g, F, damping):
    # Cholesky of the damped matrix (a Fisher plus damping I is symmetric positive definite),
    # then two triangular solves
    g = np.asarray(g, dtype=float)
    L = np.linalg.cholesky(np.asarray(F, dtype=float) + damping * np.identity(len(g)))
    return np.linalg.solve(L.T, np.linalg.solve(L, g))
