# cell: natural_direction
# test: test_natural_direction
# points: 2
def natural_direction(g, F, damping):
    g = np.asarray(g, dtype=float)
    return np.linalg.solve(F + damping * np.eye(g.size), g)
