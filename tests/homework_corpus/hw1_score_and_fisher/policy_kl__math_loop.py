# cell: policy_kl
# test: test_policy_kl
# points: 2
import math


def policy_kl(k, sigma, k_new, sigma_new, s):
    # one state at a time, with variances: 1/2 (log(v'/v) + (v + dmu^2) / v' - 1)
    v, v_new = sigma * sigma, sigma_new * sigma_new
    total, count = 0.0, 0
    for state in np.ravel(s):
        dmu = (k - k_new) * float(state)
        total += 0.5 * (math.log(v_new / v) + (v + dmu * dmu) / v_new - 1.0)
        count += 1
    return total / count
