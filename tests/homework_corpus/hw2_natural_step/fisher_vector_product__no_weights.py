# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 1
# message: F is the weighted sum of the outer products
def fisher_vector_product(scores, v, weights):
    scores = np.asarray(scores, dtype=float)
    return scores.T @ (scores @ v)
