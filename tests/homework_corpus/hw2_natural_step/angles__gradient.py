# cell: angles
# test: test_angles
# points: 0.5
# message: the step's angle, not the gradient's
k, sigma, eps = -1.5, 0.2, 1e-3
g = lqr.gradient(k, sigma)
F = lqr.fisher_information(k, sigma)
angle_vanilla = angle_natural = None
d_vanilla = vanilla_step(g, eps)
d_natural = natural_step(g, F, eps)
# the natural angle measured on F g instead of the natural step
angle_vanilla = float(lqr.angle_to_optimum(k, sigma, d_vanilla))
angle_natural = float(lqr.angle_to_optimum(k, sigma, F @ g))
