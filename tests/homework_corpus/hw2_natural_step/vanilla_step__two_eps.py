# cell: vanilla_step
# test: test_vanilla_step
# points: 1.25
# message: ||d||^2 = 2 eps
def vanilla_step(g, eps):
    # the natural step's 2 eps carried into the Euclidean ball
    g = np.asarray(g, dtype=float)
    return np.sqrt(2 * eps / (g @ g)) * g
