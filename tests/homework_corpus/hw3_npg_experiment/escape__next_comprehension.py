# cell: escape
# test: test_escape
# points: 2
dampings = [1e-3, 1e-2, 1e-1, 1.0]
escape = {}
escape = {
    lam: next(
        (t for t, value in enumerate(run(x0, 100, True, damping=lam)[0]) if value >= 1.9), None
    )
    for lam in dampings
}
