# cell: kl_vanilla
# test: test_kl_vanilla
# points: 0.5
# message: take it at the step's start

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
kl_vanilla = None
d = np.diff(path_vanilla, axis=0)
kl_vanilla = np.array(
    [0.5 * dt @ fisher(th) @ dt for dt, th in zip(d, path_vanilla[1:], strict=True)]
)
