# cell: score
# test: test_score
# points: 2
# message: `.T` of a stacked array reverses every axis
def score(k, sigma, s, a):
    u = np.asarray(a) - k * np.asarray(s)
    return np.array([u * s / sigma**2, (u * u - sigma**2) / sigma**3]).T
