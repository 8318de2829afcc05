# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 2
def fisher_vector_product(scores, v, weights):
    proj = np.einsum("nj,j->n", scores, v)
    return np.einsum("n,n,ni->i", weights, proj, scores)
