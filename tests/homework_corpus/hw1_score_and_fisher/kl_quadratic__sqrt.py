# cell: kl_quadratic
# test: test_kl_quadratic
# points: 0
# message: a second-order term is quadratic in d
def kl_quadratic(d, F):
    # the norm of d in the metric F, not the quadratic form
    d = np.asarray(d, dtype=float)
    return float(np.sqrt(0.5 * d @ F @ d))
