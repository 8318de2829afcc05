# cell: angles
# test: test_angles
# points: 1
import math

k, sigma, eps = -1.5, 0.2, 1e-3
g = lqr.gradient(k, sigma)
F = lqr.fisher_information(k, sigma)
angle_vanilla = angle_natural = None
d_vanilla = vanilla_step(g, eps)
d_natural = natural_step(g, F, eps)
# with atan2: the difference of the two polar angles, folded into [0, 180]
target = math.atan2(-sigma, k_star - k)
angles = []
for d in (d_vanilla, d_natural):
    diff = abs(math.degrees(math.atan2(float(d[1]), float(d[0])) - target)) % 360.0
    angles.append(min(diff, 360.0 - diff))
angle_vanilla, angle_natural = angles
