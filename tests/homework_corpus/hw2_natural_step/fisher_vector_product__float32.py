# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 2
def fisher_vector_product(scores, v, weights):
    S = np.asarray(scores, dtype=np.float32)
    return S.T @ (np.asarray(weights, dtype=np.float32) * (S @ np.asarray(v, dtype=np.float32)))
