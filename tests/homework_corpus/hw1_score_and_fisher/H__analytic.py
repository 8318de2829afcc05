# cell: H
# test: test_H
# points: 2
H = None
# the Hessian derived by hand from the KL formula: E[s^2]/sigma^2 in k', 2/sigma^2 in sigma'
H = np.array([[np.mean(s * s) / sigma**2, 0.0], [0.0, 2.0 / sigma**2]])
