# cell: score
# test: test_score
# points: 1
# message: look for a term of log pi that depends on sigma but not on the action
def score(k, sigma, s, a):
    u = np.asarray(a) - k * np.asarray(s)
    return np.stack([u * s / sigma**2, u * u / sigma**3], axis=-1)
