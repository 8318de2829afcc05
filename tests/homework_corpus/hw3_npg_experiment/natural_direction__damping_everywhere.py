# cell: natural_direction
# test: test_natural_direction
# points: 0.5
# message: is the damping added to the diagonal only
def natural_direction(g, F, damping):
    # F + damping adds the damping to every entry, not only the diagonal
    return np.linalg.solve(np.asarray(F) + damping, np.asarray(g, dtype=float))
