# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 1
# message: the weights are already normalised; do not divide again
def fisher_vector_product(scores, v, weights):
    scores = np.asarray(scores, dtype=float)
    return scores.T @ (weights * (scores @ v)) / len(weights)
