# cell: escape
# test: test_escape
# points: 1
# message: (the natural run, 100 iterations
dampings = [1e-3, 1e-2, 1e-1, 1.0]
escape = {}
for damping in dampings:
    # natural=False: the vanilla run, which ignores the damping
    eta, _ = run(x0, 100, False, damping=damping)
    hits = np.flatnonzero(eta >= 1.9)
    escape[damping] = int(hits[0]) if hits.size else None
