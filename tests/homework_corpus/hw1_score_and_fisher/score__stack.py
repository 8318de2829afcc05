# cell: score
# test: test_score
# points: 3
def score(k, sigma, s, a):
    s = np.asarray(s, dtype=float)
    u = np.asarray(a, dtype=float) - k * s
    return np.stack([u * s / sigma**2, (u * u - sigma**2) / sigma**3], axis=-1)
