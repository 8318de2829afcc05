# cell: kl_quadratic
# test: test_kl_quadratic
# points: 1
def kl_quadratic(d, F):
    # sum_ij d_i F_ij d_j, the hand way, on lists
    d, F = list(map(float, d)), np.asarray(F, dtype=float).tolist()
    total = 0.0
    for i, di in enumerate(d):
        for j, dj in enumerate(d):
            total += di * F[i][j] * dj
    return total / 2
