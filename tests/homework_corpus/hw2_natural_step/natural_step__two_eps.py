# cell: natural_step
# test: test_natural_step
# points: 1.5
# message: 1/2 d^T F d = 2 eps
def natural_step(g, F, eps):
    # the 1/2 moved to the wrong side: 1/2 d^T F d = eps read as d^T F d = 4 eps
    g = np.asarray(g, dtype=float)
    x = np.linalg.solve(F, g)
    return np.sqrt(4.0 * eps / (g @ x)) * x
