# cell: natural_step
# test: test_natural_step
# points: 1.5
# message: your step has 1/2 d^T F d =
def natural_step(g, F, eps):
    # erratum 1: g^T F g under the square root instead of g^T F^-1 g
    g = np.asarray(g, dtype=float)
    x = np.linalg.solve(F, g)
    return np.sqrt(2.0 * eps / (g @ F @ g)) * x
