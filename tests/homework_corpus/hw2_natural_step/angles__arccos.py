# cell: angles
# test: test_angles
# points: 1
k, sigma, eps = -1.5, 0.2, 1e-3
g = lqr.gradient(k, sigma)
F = lqr.fisher_information(k, sigma)
angle_vanilla = angle_natural = None
d_vanilla = np.asarray(vanilla_step(g, eps))
d_natural = np.asarray(natural_step(g, F, eps))
# the angle by hand: arccos of the cosine with the direction (k* - k, 0 - sigma), in degrees
to_optimum = np.array([k_star - k, -sigma])


def degrees_between(u, v):
    cos = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


angle_vanilla = degrees_between(d_vanilla, to_optimum)
angle_natural = degrees_between(d_natural, to_optimum)
