# cell: kl_quadratic
# test: test_kl_quadratic
# points: 0
# message: tripling F multiplies your value by
def kl_quadratic(d, F):
    # F^-1 where the quadratic form needs F (the natural step's g^T F^-1 g, misremembered)
    d = np.asarray(d, dtype=float)
    return float(0.5 * d @ np.linalg.solve(F, d))
