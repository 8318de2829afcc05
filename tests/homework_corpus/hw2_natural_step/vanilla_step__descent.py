# cell: vanilla_step
# test: test_vanilla_step
# points: 1.25
# message: it goes downhill: ascent moves along +g
def vanilla_step(g, eps):
    g = np.asarray(g, dtype=float)
    return -np.sqrt(eps / (g @ g)) * g
