# cell: vanilla_step
# test: test_vanilla_step
# points: 2
import math


def vanilla_step(g, eps):
    # plain Python: a list in, a list out
    length = math.sqrt(sum(float(x) ** 2 for x in g))
    scale = math.sqrt(eps) / length
    return [scale * float(x) for x in g]
