# cell: run
# test: test_run
# points: 3
def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    # choose the direction once, as a function of x; the iterates first, then eta and d(j)
    if natural:

        def direction(x):
            g, F = gradient_and_fisher(x)
            return np.asarray(natural_direction(g, F, damping), dtype=float)
    else:

        def direction(x):
            return gradient_and_fisher(x)[0]

    xs = [np.array(x0, dtype=np.float64)]
    while len(xs) <= n_iter:
        xs.append(xs[-1] + lr * direction(xs[-1]))
    pairs = np.array([reward_and_visitation(x) for x in xs], dtype=np.float64)
    return pairs[:, 0], pairs[:, 1]
