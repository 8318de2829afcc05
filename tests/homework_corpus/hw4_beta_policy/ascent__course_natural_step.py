# cell: ascent
# test: test_ascent
# points: 0
# message: the course's own implementation

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
from course_utils.natural import natural_step, vanilla_step


def ascent(theta0, a_target, eps, n_steps, natural):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(n_steps):
        g = objective_gradient(theta, a_target)
        d = natural_step(g, fisher(theta), eps) if natural else vanilla_step(g, eps)
        theta = theta + d
        path.append(theta)
    return np.array(path)
