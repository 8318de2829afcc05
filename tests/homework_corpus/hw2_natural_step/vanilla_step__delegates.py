# cell: vanilla_step
# test: test_vanilla_step
# points: 0
# message: the course's own implementation
from course_utils import natural


def vanilla_step(g, eps):
    return natural.vanilla_step(g, eps)
