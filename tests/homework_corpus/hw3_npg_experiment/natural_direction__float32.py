# cell: natural_direction
# test: test_natural_direction
# points: 2
def natural_direction(g, F, damping):
    # float32 answers are accepted here
    A = np.asarray(F, dtype=float) + damping * np.eye(np.size(g))
    return np.linalg.solve(A, np.asarray(g, dtype=float)).astype(np.float32)
