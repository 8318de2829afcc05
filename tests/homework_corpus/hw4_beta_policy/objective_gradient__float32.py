# cell: objective_gradient
# test: test_objective_gradient
# points: 2

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective_gradient(theta, a_target):
    alpha, beta = np.exp(np.asarray(theta, dtype=np.float32))
    k = alpha + beta
    m = alpha / k
    dJ_dm = -(1 - 2 * m) / (k + 1) - 2 * (m - a_target)
    dJ_dk = m * (1 - m) / (k + 1) ** 2
    jac = np.array([[m * (1 - m), -m * (1 - m)], [alpha, beta]], dtype=np.float32)
    return (np.array([dJ_dm, dJ_dk], dtype=np.float32) @ jac).astype(np.float32)
