# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 2
def fisher_vector_product(scores, v, weights):
    # (w * (Psi v))^T Psi: the same two products, with the weighted vector on the left
    Psi = np.asarray(scores, dtype=float)
    return (np.asarray(weights) * np.dot(Psi, v)) @ Psi
