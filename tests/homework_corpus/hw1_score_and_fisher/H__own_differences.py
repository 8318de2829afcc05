# cell: H
# test: test_H
# points: 2
H = None
# central second differences written out, step h in each coordinate
h = 1e-4
theta = np.array([k, sigma])
E = np.eye(2) * h


def D(th):
    return policy_kl(k, sigma, th[0], th[1], s)


H = np.empty((2, 2))
for i in range(2):
    for j in range(2):
        H[i, j] = (
            D(theta + E[i] + E[j])
            - D(theta + E[i] - E[j])
            - D(theta - E[i] + E[j])
            + D(theta - E[i] - E[j])
        ) / (4 * h * h)
H = (H + H.T) / 2
