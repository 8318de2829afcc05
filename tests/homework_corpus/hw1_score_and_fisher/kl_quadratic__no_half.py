# cell: kl_quadratic
# test: test_kl_quadratic
# points: 0.5
# message: which factor comes with the Hessian?
def kl_quadratic(d, F):
    d = np.asarray(d, dtype=float)
    return float(d @ F @ d)
