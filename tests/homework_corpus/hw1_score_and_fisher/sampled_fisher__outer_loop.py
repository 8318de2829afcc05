# cell: sampled_fisher
# test: test_sampled_fisher
# points: 2
def sampled_fisher(scores):
    # a sum of outer products, one per row, then the mean (returned as a list of lists)
    rows = [np.asarray(row, dtype=float) for row in scores]
    total = np.zeros((len(rows[0]), len(rows[0])))
    for psi in rows:
        total += np.outer(psi, psi)
    return (total / len(rows)).tolist()
