# cell: F_hat
# test: test_F_hat
# points: 1
F_hat = None
# psi = score(k, sigma, s, a) was computed in the cell above; the mean of its outer products
F_hat = np.einsum("ni,nj->ij", psi, psi) / psi.shape[0]
