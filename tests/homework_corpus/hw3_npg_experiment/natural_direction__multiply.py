# cell: natural_direction
# test: test_natural_direction
# points: 0.5
# message: you multiplied g by the matrix; the direction solves the system
def natural_direction(g, F, damping):
    g = np.asarray(g, dtype=float)
    return (F + damping * np.eye(g.size)) @ g
