# cell: kl_quadratic
# test: test_kl_quadratic
# points: 1
def kl_quadratic(d, F):
    return 0.5 * np.einsum("i,ij,j->", d, F, d)
