# cell: vanilla_step
# test: test_vanilla_step
# points: 2
def vanilla_step(g, eps):
    # the unit vector along g, stretched to length sqrt(eps)
    g = np.array(g, dtype=np.float64)
    return np.sqrt(eps) * g / np.linalg.norm(g)
