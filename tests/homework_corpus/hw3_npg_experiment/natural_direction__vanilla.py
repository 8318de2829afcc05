# cell: natural_direction
# test: test_natural_direction
# points: 0.5
# message: that is g itself, the vanilla direction
def natural_direction(g, F, damping):
    return np.asarray(g, dtype=float)
