# cell: natural_gradient
# test: test_natural_gradient
# points: 2

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
import scipy.linalg


def natural_gradient(theta, a_target):
    c = scipy.linalg.cho_factor(fisher(theta))
    return scipy.linalg.cho_solve(c, objective_gradient(theta, a_target))
