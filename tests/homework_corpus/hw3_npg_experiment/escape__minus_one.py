# cell: escape
# test: test_escape
# points: 0.5
# message: an iteration 0..100 (int) or None
dampings = [1e-3, 1e-2, 1e-1, 1.0]
escape = {}
for damping in dampings:
    eta, _ = run(x0, 100, natural=True, damping=damping)
    hits = np.flatnonzero(eta >= 1.9)
    escape[damping] = int(hits[0]) if hits.size else -1
