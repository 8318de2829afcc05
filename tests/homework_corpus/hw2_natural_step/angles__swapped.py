# cell: angles
# test: test_angles
# points: 0.5
# message: angle_vanilla =
k, sigma, eps = -1.5, 0.2, 1e-3
g = lqr.gradient(k, sigma)
F = lqr.fisher_information(k, sigma)
angle_vanilla = angle_natural = None
d_vanilla = vanilla_step(g, eps)
d_natural = natural_step(g, F, eps)
angle_natural, angle_vanilla = (
    float(lqr.angle_to_optimum(k, sigma, d)) for d in (d_vanilla, d_natural)
)
