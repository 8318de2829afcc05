# cell: vanilla_step
# test: test_vanilla_step
# points: 1.25
# message: Which power of ||d|| did you normalise
def vanilla_step(g, eps):
    # ||d|| = eps instead of ||d||^2 = eps
    g = np.asarray(g, dtype=float)
    return eps * g / np.linalg.norm(g)
