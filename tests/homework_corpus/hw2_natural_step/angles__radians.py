# cell: angles
# test: test_angles
# points: 0.5
# message: degrees, not radians
k, sigma, eps = -1.5, 0.2, 1e-3
g = lqr.gradient(k, sigma)
F = lqr.fisher_information(k, sigma)
angle_vanilla = angle_natural = None
d_vanilla = vanilla_step(g, eps)
d_natural = natural_step(g, F, eps)
to_optimum = np.array([k_star - k, -sigma])
angle_vanilla = float(
    np.arccos(d_vanilla @ to_optimum / np.linalg.norm(d_vanilla) / np.linalg.norm(to_optimum))
)
angle_natural = float(
    np.arccos(d_natural @ to_optimum / np.linalg.norm(d_natural) / np.linalg.norm(to_optimum))
)
