# cell: kl_quadratic
# test: test_kl_quadratic
# points: 1
def kl_quadratic(d, F):
    # float32 is accepted for the second-order KL
    d = np.asarray(d, dtype=np.float32)
    return np.float32(0.5) * np.sum(np.outer(d, d) * np.asarray(F, dtype=np.float32))
