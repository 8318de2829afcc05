# cell: score
# test: test_score
# points: 2
# message: it has the opposite sign
def score(k, sigma, s, a):
    # d/dk of -(a - k s)^2 / (2 sigma^2) with the inner derivative's sign lost
    s = np.asarray(s, dtype=float)
    u = np.asarray(a, dtype=float) - k * s
    return np.stack([-u * s / sigma**2, (u * u - sigma**2) / sigma**3], axis=-1)
