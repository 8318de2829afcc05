# cell: sampled_fisher
# test: test_sampled_fisher
# points: 1
# message: it is N / (N - 1) times too large: a mean divides by N
def sampled_fisher(scores):
    scores = np.asarray(scores, dtype=float)
    return scores.T @ scores / (scores.shape[0] - 1)
