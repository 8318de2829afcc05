# cell: natural_step
# test: test_natural_step
# points: 3
def natural_step(g, F, eps):
    # x = F^-1 g by least squares, scaled so that 1/2 x^T F x hits eps (x^T F x = g^T F^-1 g)
    F = np.asarray(F, dtype=float)
    x = np.linalg.lstsq(F, np.asarray(g, dtype=float), rcond=None)[0]
    return x * np.sqrt(2 * eps / np.einsum("i,ij,j->", x, F, x))
