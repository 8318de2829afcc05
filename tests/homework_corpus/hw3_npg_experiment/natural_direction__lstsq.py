# cell: natural_direction
# test: test_natural_direction
# points: 2
def natural_direction(g, F, damping):
    A = np.array(F, dtype=float)
    A[np.diag_indices_from(A)] += damping
    return np.linalg.lstsq(A, np.asarray(g, dtype=float), rcond=None)[0]
