# cell: angles
# test: test_angles
# points: 1
k, sigma, eps = -1.5, 0.2, 1e-3
g = lqr.gradient(k, sigma)
F = lqr.fisher_information(k, sigma)
angle_vanilla = angle_natural = None
d_vanilla = vanilla_step(g, eps)
d_natural = natural_step(g, F, eps)
angle_vanilla = float(lqr.angle_to_optimum(k, sigma, d_vanilla))
angle_natural = float(lqr.angle_to_optimum(k, sigma, d_natural))
