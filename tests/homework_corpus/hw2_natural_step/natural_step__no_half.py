# cell: natural_step
# test: test_natural_step
# points: 1.5
# message: 1/2 d^T F d = 0.5 eps
def natural_step(g, F, eps):
    # the constraint taken as d^T F d = eps (the 1/2 of the second-order KL lost)
    g = np.asarray(g, dtype=float)
    x = np.linalg.solve(F, g)
    return np.sqrt(eps / (g @ x)) * x
