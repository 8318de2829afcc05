# cell: kl_vanilla
# test: test_kl_vanilla
# points: 1

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
kl_vanilla = None
d = np.diff(path_vanilla, axis=0)
Fs = np.array([fisher(th) for th in path_vanilla[:-1]])
kl_vanilla = 0.5 * np.einsum("ti,tij,tj->t", d, Fs, d)
