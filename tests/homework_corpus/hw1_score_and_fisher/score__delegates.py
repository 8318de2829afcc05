# cell: score
# test: test_score
# points: 0
# message: the course's own implementation
from course_utils.gaussian import gaussian_score


def score(k, sigma, s, a):
    return gaussian_score(k, sigma, s, a)
