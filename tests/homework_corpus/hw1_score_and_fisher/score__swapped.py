# cell: score
# test: test_score
# points: 2
# message: the two components are swapped
def score(k, sigma, s, a):
    s = np.asarray(s, dtype=float)
    u = np.asarray(a, dtype=float) - k * s
    return np.stack([(u * u - sigma**2) / sigma**3, u * s / sigma**2], axis=-1)
