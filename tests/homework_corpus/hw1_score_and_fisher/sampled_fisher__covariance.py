# cell: sampled_fisher
# test: test_sampled_fisher
# points: 1
# message: you centred the scores; the Fisher is the second moment
def sampled_fisher(scores):
    return np.cov(np.asarray(scores, dtype=float), rowvar=False)
