# cell: kl_vanilla
# test: test_kl_vanilla
# points: 0.5
# message: without the 1/2

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
kl_vanilla = None
d = np.diff(path_vanilla, axis=0)
kl_vanilla = np.array([dt @ fisher(th) @ dt for dt, th in zip(d, path_vanilla[:-1], strict=True)])
