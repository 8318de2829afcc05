# cell: kl_vanilla
# test: test_kl_vanilla
# points: 0
# message: one entry per step

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
kl_vanilla = None
kl_vanilla = np.array([0.5 * th @ fisher(th) @ th for th in path_vanilla])
