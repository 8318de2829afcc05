# cell: angles
# test: test_angles
# points: 1
k, sigma, eps = -1.5, 0.2, 1e-3
g = lqr.gradient(k, sigma)
F = lqr.fisher_information(k, sigma)
angle_vanilla = angle_natural = None
d_vanilla, d_natural = vanilla_step(g, eps), natural_step(g, F, eps)
# angle_to_optimum takes directions of shape (..., 2): both rows in one call
angle_vanilla, angle_natural = (
    float(x) for x in lqr.angle_to_optimum(k, sigma, np.stack([d_vanilla, d_natural]))
)
