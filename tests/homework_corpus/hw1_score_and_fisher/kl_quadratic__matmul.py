# cell: kl_quadratic
# test: test_kl_quadratic
# points: 1
def kl_quadratic(d, F):
    d = np.asarray(d, dtype=float)
    return float(0.5 * d @ F @ d)
