# cell: natural_gradient
# test: test_natural_gradient
# points: 0.5
# message: the natural gradient undoes F

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def natural_gradient(theta, a_target):
    return fisher(theta) @ objective_gradient(theta, a_target)
