# cell: vanilla_step
# test: test_vanilla_step
# points: 2
def vanilla_step(g, eps):
    g = np.asarray(g, dtype=np.float32)
    return (g * np.sqrt(np.float32(eps) / np.dot(g, g))).astype(np.float32)
