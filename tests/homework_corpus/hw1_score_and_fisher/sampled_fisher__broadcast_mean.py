# cell: sampled_fisher
# test: test_sampled_fisher
# points: 2
def sampled_fisher(scores):
    X = np.array(scores, dtype=np.float64)
    return (X[:, :, None] * X[:, None, :]).mean(axis=0)
