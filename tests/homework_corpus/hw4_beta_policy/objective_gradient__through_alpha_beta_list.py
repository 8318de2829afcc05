# cell: objective_gradient
# test: test_objective_gradient
# points: 2

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
def objective_gradient(theta, a_target):
    # J = -(E[a^2] - 2 a_target E[a] + a_target^2), differentiated in alpha and beta
    al, be = (float(x) for x in np.exp(theta))
    k = al + be
    # E[a] = al / k, E[a^2] = al (al + 1) / (k (k + 1))
    dm_da, dm_db = be / k**2, -al / k**2
    q = k * (k + 1)
    dq = 2 * k + 1
    dm2_da = ((2 * al + 1) * q - al * (al + 1) * dq) / q**2
    dm2_db = -al * (al + 1) * dq / q**2
    dJ_da = -(dm2_da - 2 * a_target * dm_da)
    dJ_db = -(dm2_db - 2 * a_target * dm_db)
    return [dJ_da * al, dJ_db * be]
