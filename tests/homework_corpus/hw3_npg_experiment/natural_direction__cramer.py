# cell: natural_direction
# test: test_natural_direction
# points: 2
def natural_direction(g, F, damping):
    # the 2 x 2 system solved by Cramer's rule, on plain floats
    (a, b), (c, d) = [[float(e) for e in row] for row in F]
    a, d = a + damping, d + damping
    g1, g2 = (float(e) for e in g)
    det = a * d - b * c
    return np.array([(d * g1 - b * g2) / det, (a * g2 - c * g1) / det])
