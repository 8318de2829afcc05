# cell: score
# test: test_score
# points: 0
# message: the course's own implementation

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
from course_utils.finite_diff import gradient


def score(theta, a):
    a = np.asarray(a, dtype=float)

    def log_pi(th, x):
        al, be = np.exp(th)
        return (
            (al - 1) * np.log(x)
            + (be - 1) * np.log1p(-x)
            - gammaln(al)
            - gammaln(be)
            + gammaln(al + be)
        )

    flat = [
        gradient(lambda th, x=x: log_pi(th, x), np.asarray(theta, dtype=float)) for x in a.ravel()
    ]
    return np.array(flat).reshape(a.shape + (2,))
