# cell: natural_gradient
# test: test_natural_gradient
# points: 2

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def natural_gradient(theta, a_target):
    (p, q), (r, s) = np.asarray(fisher(theta), dtype=float)
    g1, g2 = objective_gradient(theta, a_target)
    det = p * s - q * r
    return [(s * g1 - q * g2) / det, (p * g2 - r * g1) / det]
