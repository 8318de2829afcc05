# cell: natural_step
# test: test_natural_step
# points: 3
def natural_step(g, F, eps):
    g = np.asarray(g, dtype=float)
    x = np.linalg.solve(F, g)
    return np.sqrt(2.0 * eps / (g @ x)) * x
