# cell: kl_vanilla
# test: test_kl_vanilla
# points: 1

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
kl_vanilla = None
kl_vanilla = []
for t in range(n_steps):
    d = path_vanilla[t + 1] - path_vanilla[t]
    kl_vanilla.append(0.5 * float(d @ fisher(path_vanilla[t]) @ d))
