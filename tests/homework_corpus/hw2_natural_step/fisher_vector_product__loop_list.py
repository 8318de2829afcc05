# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 2
def fisher_vector_product(scores, v, weights, strict=True):
    # sum_i w_i psi_i (psi_i . v), one sample at a time, returned as a list
    v = np.asarray(v, dtype=float)
    out = np.zeros(v.shape)
    for psi_i, w_i in zip(np.asarray(scores, dtype=float), weights, strict=True):
        out += w_i * psi_i * (psi_i @ v)
    return out.tolist()
