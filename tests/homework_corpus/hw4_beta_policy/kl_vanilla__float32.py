# cell: kl_vanilla
# test: test_kl_vanilla
# points: 1

# ruff: noqa: F821  (the notebook's earlier cells define np, digamma, fisher, ...)
kl_vanilla = None
d = np.diff(path_vanilla, axis=0).astype(np.float32)
kl_vanilla = np.array(
    [
        0.5 * d[t] @ np.asarray(fisher(path_vanilla[t]), dtype=np.float32) @ d[t]
        for t in range(len(d))
    ],
    dtype=np.float32,
)
