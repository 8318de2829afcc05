# cell: escape
# test: test_escape
# points: 1
# message: counted from 1?
dampings = [1e-3, 1e-2, 1e-1, 1.0]
escape = {}
for damping in dampings:
    eta, _ = run(x0, 100, natural=True, damping=damping)
    hits = np.flatnonzero(eta >= 1.9)
    # counted from 1: "the 4th iteration"
    escape[damping] = int(hits[0]) + 1 if hits.size else None
