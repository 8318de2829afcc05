# cell: score
# test: test_score
# points: 3
def score(k, sigma, s, a):
    # standardised residual xi = (a - k s) / sigma; float32 is accepted for the score
    xi = (np.asarray(a) - k * np.asarray(s)) / sigma
    out = np.empty(np.shape(xi) + (2,), dtype=np.float32)
    out[..., 0] = xi * np.asarray(s) / sigma
    out[..., 1] = (xi**2 - 1) / sigma
    return out
