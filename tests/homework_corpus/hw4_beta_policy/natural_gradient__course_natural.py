# cell: natural_gradient
# test: test_natural_gradient
# points: 0
# message: the course's own implementation

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
from course_utils.natural import natural_gradient as _ng


def natural_gradient(theta, a_target):
    return _ng(objective_gradient(theta, a_target), fisher(theta))
