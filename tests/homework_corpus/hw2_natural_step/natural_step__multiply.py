# cell: natural_step
# test: test_natural_step
# points: 0.5
# message: solve, do not multiply by F
def natural_step(g, F, eps):
    g = np.asarray(g, dtype=float)
    x = np.asarray(F) @ g
    return np.sqrt(2.0 * eps / (g @ x)) * x
