# cell: sampled_fisher
# test: test_sampled_fisher
# points: 1
# message: it is N times too large: the Fisher is a mean over the samples
def sampled_fisher(scores):
    scores = np.asarray(scores, dtype=float)
    return scores.T @ scores
