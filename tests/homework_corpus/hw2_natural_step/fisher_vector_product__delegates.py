# cell: fisher_vector_product
# test: test_fisher_vector_product
# points: 0
# message: the course's own implementation
from course_utils.natural import fisher_vector_product as course_fvp


def fisher_vector_product(scores, v, weights):
    return course_fvp(scores, v, weights=weights)
