# cell: objective_gradient
# test: test_objective_gradient
# points: 0
# message: the course's own implementation

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
from course_utils.finite_diff import gradient


def objective_gradient(theta, a_target):
    return gradient(lambda th: objective(th, a_target), np.asarray(theta, dtype=float))
