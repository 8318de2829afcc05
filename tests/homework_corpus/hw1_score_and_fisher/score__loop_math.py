# cell: score
# test: test_score
# points: 3
import math


def score(k, sigma, s, a):
    # one sample at a time with the math module, then back to the input's shape
    s_arr = np.asarray(s, dtype=float)
    a_arr = np.asarray(a, dtype=float)
    out = np.empty(s_arr.shape + (2,))
    for idx in np.ndindex(s_arr.shape):
        u = float(a_arr[idx]) - k * float(s_arr[idx])
        out[idx] = (u * s_arr[idx] / sigma**2, (u * u - sigma * sigma) / math.pow(sigma, 3))
    return out
