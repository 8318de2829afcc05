# cell: sampled_fisher
# test: test_sampled_fisher
# points: 2
def sampled_fisher(scores):
    scores = np.asarray(scores, dtype=float)
    return np.einsum("ni,nj->ij", scores, scores) / len(scores)
