# cell: escape
# test: test_escape
# points: 2
dampings = [1e-3, 1e-2, 1e-1, 1.0]
escape = {}
for lam in dampings:
    above = np.asarray(run(x0, 100, True, damping=lam)[0]) >= 1.9
    # argmax finds the first True; it is 0 also when nothing is above, hence the any()
    escape[lam] = int(np.argmax(above)) if above.any() else None
