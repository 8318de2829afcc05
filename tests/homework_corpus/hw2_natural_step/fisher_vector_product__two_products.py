# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 2
def fisher_vector_product(scores, v, weights):
    scores = np.asarray(scores, dtype=float)
    return scores.T @ (weights * (scores @ v))
