"""Speed of the Monte Carlo estimators of the k/sigma example, against two baselines.

Prints, in one process (medians over repeats):

- sample-steps per second of ``LinearGaussianLQR.estimate_gradient`` (with and without baseline)
  and ``estimate_fisher`` at 100,000 trajectories x 50 steps;
- the random-number floor: the time numpy takes just to draw the normals they need, and each
  estimator's ratio to it (target: within 2x);
- per-step Python loops that simulate and compute the same gradient estimate: the plain one a
  student would write (numpy scalar draws and score vectors; target: >= 100x slower) and a
  hand-tuned one (Python floats only, checked to agree to rounding on identical normals).

Run: ``python benchmarks/estimators.py`` (about half a minute).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from course_utils.gaussian import LinearGaussianLQR

N_TRAJ, HORIZON, REPEATS = 100_000, 50, 7
LOOP_TRAJ = 1_000  # the Python loop is timed on fewer trajectories, then compared per step
K, SIGMA = -0.5, 0.5


def median_time(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_loop_estimate(lqr: LinearGaussianLQR, k, sigma, n, horizon, rng, baseline=True):
    """The textbook per-step implementation: sample with numpy, score as a numpy vector."""
    P = float(lqr.value_coefficient(k))
    v_const = (lqr.R + lqr.gamma * P) * sigma**2 / (1 - lqr.gamma)
    g = np.zeros(2)
    for _ in range(n):
        s = rng.normal(lqr.s0_mean, np.sqrt(lqr.s0_var))
        states, actions, rewards = [], [], []
        for _ in range(horizon):
            a = rng.normal(k * s, sigma)
            states.append(s)
            actions.append(a)
            rewards.append(-(lqr.q * s**2 + lqr.R * a**2))
            s = s + a
        go = 0.0
        for t in reversed(range(horizon)):
            go = rewards[t] + lqr.gamma * go
            s, a = states[t], actions[t]
            score = np.array([(a - k * s) * s / sigma**2, ((a - k * s) ** 2 - sigma**2) / sigma**3])
            b = -P * s**2 - v_const if baseline else 0.0
            g += lqr.gamma**t * score * (go - b)
    return g / n


def tuned_loop_estimate(lqr: LinearGaussianLQR, k, sigma, n, horizon, draw, baseline=True):
    """A hand-tuned per-step loop: Python floats only, no numpy inside the loop.

    ``draw()`` returns the next standard normal: per trajectory the start state's, then one
    per step (the order of ``estimate_gradient``'s normals when n <= its block size).
    """
    P = float(lqr.value_coefficient(k))
    v_const = (lqr.R + lqr.gamma * P) * sigma**2 / (1 - lqr.gamma)
    sd0 = lqr.s0_var**0.5
    total_k = total_s = 0.0
    for _ in range(n):
        s = lqr.s0_mean + sd0 * draw()
        states, noises, rewards = [], [], []
        for _ in range(horizon):
            xi = draw()
            a = k * s + sigma * xi
            states.append(s)
            noises.append(xi)
            rewards.append(-(lqr.q * s * s + lqr.R * a * a))
            s = s + a
        go = g_k = g_s = 0.0
        for t in range(horizon - 1, -1, -1):
            go = rewards[t] + lqr.gamma * go  # reward to go G_t
            s, xi = states[t], noises[t]
            adv = go - ((-P * s * s - v_const) if baseline else 0.0)
            weight = lqr.gamma**t * adv
            g_k += weight * xi * s / sigma  # score in k: (a - k s) s / sigma^2
            g_s += weight * (xi * xi - 1.0) / sigma  # in sigma: ((a - k s)^2 - sigma^2) / sigma^3
        total_k += g_k
        total_s += g_s
    return np.array([total_k / n, total_s / n])


def main() -> None:
    lqr = LinearGaussianLQR()
    steps = N_TRAJ * HORIZON
    print(f"setting: Peters (q=1, R=0.1, gamma=0.9), k={K}, sigma={SIGMA}")
    print(
        f"workload: {N_TRAJ:,} trajectories x {HORIZON} steps = {steps:,} sample-steps, "
        f"median of {REPEATS}\n"
    )

    rng = np.random.default_rng(0)
    floor = median_time(
        lambda: (rng.standard_normal(N_TRAJ), rng.standard_normal((HORIZON, N_TRAJ)))
    )
    print(
        f"{'random-number floor (draw the normals)':44s} {floor * 1e3:8.1f} ms "
        f"{steps / floor:12.3e} steps/s"
    )
    cases = {
        "estimate_gradient(baseline=True)": lambda: lqr.estimate_gradient(
            K, SIGMA, N_TRAJ, HORIZON, rng, baseline=True
        ),
        "estimate_gradient(baseline=False)": lambda: lqr.estimate_gradient(
            K, SIGMA, N_TRAJ, HORIZON, rng, baseline=False
        ),
        "estimate_fisher": lambda: lqr.estimate_fisher(K, SIGMA, N_TRAJ, HORIZON, rng),
    }
    results = {}
    for name, fn in cases.items():
        t = median_time(fn)
        results[name] = t
        print(
            f"{name:44s} {t * 1e3:8.1f} ms {steps / t:12.3e} steps/s   {t / floor:5.2f}x the floor"
        )

    # the loops: correctness on the very same normals as the vectorised estimate (one block:
    # the start states' normals, then (horizon, n) step normals, time-major) ...
    noise_rng = np.random.default_rng(1)
    z0, xi = noise_rng.standard_normal(LOOP_TRAJ), noise_rng.standard_normal((HORIZON, LOOP_TRAJ))
    same = iter(np.column_stack([z0, xi.T]).ravel().tolist())
    tuned_value = tuned_loop_estimate(lqr, K, SIGMA, LOOP_TRAJ, HORIZON, same.__next__)
    fast, se = lqr.estimate_gradient(K, SIGMA, LOOP_TRAJ, HORIZON, np.random.default_rng(1))
    plain_value = plain_loop_estimate(lqr, K, SIGMA, LOOP_TRAJ, HORIZON, np.random.default_rng(3))
    # ... and speed, each loop drawing its own normals step by step
    loop_rng = np.random.default_rng(2)
    loops = {
        "plain per-step loop (numpy scalars and score vectors)": lambda: plain_loop_estimate(
            lqr, K, SIGMA, LOOP_TRAJ, HORIZON, loop_rng
        ),
        "hand-tuned per-step loop (Python floats only)": lambda: tuned_loop_estimate(
            lqr, K, SIGMA, LOOP_TRAJ, HORIZON, loop_rng.standard_normal
        ),
    }
    vec_rate = steps / results["estimate_gradient(baseline=True)"]
    print(f"\nPython loops over {LOOP_TRAJ:,} trajectories x {HORIZON} steps, median of 3:")
    speedups = {}
    for name, fn in loops.items():
        rate = LOOP_TRAJ * HORIZON / median_time(fn, 3)
        speedups[name] = vec_rate / rate
        print(
            f"  {name:54s} {rate:10.3e} steps/s; estimate_gradient is {vec_rate / rate:5.0f}x "
            "faster"
        )
    print(
        f"  hand-tuned loop vs vectorised on identical normals: max relative difference "
        f"{np.max(np.abs(tuned_value - fast) / np.abs(fast)):.1e}"
    )
    print(
        f"  plain loop (own normals) vs vectorised: differences in standard errors "
        f"{np.array2string((plain_value - fast) / (se * np.sqrt(2)), precision=2)}"
    )
    print("\ntargets: >= 2e7 steps/s, <= 2x the floor, >= 100x the loop")
    ok_rate = all(steps / t >= 2e7 for t in results.values())
    ok_floor = all(t / floor <= 2.0 for t in results.values())
    ok_loop = speedups["plain per-step loop (numpy scalars and score vectors)"] >= 100
    print(f"met: rate {ok_rate}, floor {ok_floor}, plain loop {ok_loop}")


if __name__ == "__main__":
    main()
