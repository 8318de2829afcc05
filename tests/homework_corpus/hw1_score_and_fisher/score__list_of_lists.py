# cell: score
# test: test_score
# points: 3
def score(k, sigma, s, a):
    # the two components moved to the last axis, returned as (nested) Python lists
    s = np.asarray(s, dtype=float)
    a = np.asarray(a, dtype=float)
    d_k = (a - k * s) * s / sigma**2
    d_sigma = -1 / sigma + (a - k * s) ** 2 / sigma**3
    return np.moveaxis(np.array([d_k, d_sigma]), 0, -1).tolist()
