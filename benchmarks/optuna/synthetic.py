#!/usr/bin/python3
"""Optuna's samplers on the synthetic objectives of TpeSamplerBenchmark (same formulas, see there).

Prints one JSON line per run: {"objective", "trials", "sampler", "seed", "best"} where best is the
noise-free value of the trial with the best observed (noisy) value. Run by TpeSamplerBenchmark
with Debian's /usr/bin/python3 (python3-optuna 3.1.0); Optuna is not part of the product.

  /usr/bin/python3 benchmarks/optuna/synthetic.py --seeds=1-40 --trials=16,32
"""
import argparse
import json
import math
import random

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

OPTIMIZER_LR = {"adam": -2.5, "rmsprop": -2.8, "adagrad": -1.2, "sgd": -0.7}
OPTIMIZER_PENALTY = {"adam": 0.0, "rmsprop": 0.03, "adagrad": 0.12, "sgd": 0.2}


def issue(p):
    """The issue's space: a valley in log lr whose floor moves with depth and width, a cliff above it."""
    lr = math.log10(p["learning_rate"])
    h = math.log2(p["hidden_units"])
    k = p["num_layers"]
    opt = -2.0 + 0.25 * (k - 2) - 0.2 * (h - 5)
    f = 3.3 + 0.6 * (lr - opt) ** 2 + 0.05 * (h - 6) ** 2 + 0.04 * (k - 3) ** 2
    if lr > -0.8 - 0.2 * (k - 1):
        f += 1.0
    return f


def wide(p):
    """SearchBenchmark's seven parameters: the best lr depends on the optimizer."""
    lr = math.log10(p["learning_rate"])
    o = p["optimizer"]
    f = 0.5 + 0.25 * (lr - OPTIMIZER_LR[o]) ** 2 + OPTIMIZER_PENALTY[o]
    f += 0.1 * max(0.0, math.log10(p["l2"]) + 3) ** 2 + 0.5 * (p["dropout"] - 0.1) ** 2
    f += 0.03 * (math.log2(p["hidden_units"]) - 6) ** 2 + 0.03 * (p["num_layers"] - 2) ** 2
    f += 0.02 * (math.log2(p["batch_size"]) - 5) ** 2
    if lr > OPTIMIZER_LR[o] + 1.5:
        f += 2.0
    return f


def suggest_issue(t):
    return {"learning_rate": t.suggest_float("learning_rate", 3e-4, 0.3, log=True),
            "hidden_units": t.suggest_categorical("hidden_units", [16, 32, 64]),
            "num_layers": t.suggest_int("num_layers", 1, 3)}


def suggest_wide(t):
    return {"learning_rate": t.suggest_float("learning_rate", 1e-4, 1.0, log=True),
            "hidden_units": t.suggest_categorical("hidden_units", [16, 32, 64, 128]),
            "num_layers": t.suggest_int("num_layers", 1, 3),
            "dropout": t.suggest_float("dropout", 0.0, 0.5),
            "l2": t.suggest_float("l2", 1e-6, 0.1, log=True),
            "optimizer": t.suggest_categorical("optimizer", ["adam", "rmsprop", "adagrad", "sgd"]),
            "batch_size": t.suggest_categorical("batch_size", [16, 32, 64, 128])}


OBJECTIVES = {"issue": (issue, suggest_issue, 0.02), "wide": (wide, suggest_wide, 0.01)}
SAMPLERS = {
    "optuna-tpe": lambda s: optuna.samplers.TPESampler(seed=s),
    "optuna-tpe-mv": lambda s: optuna.samplers.TPESampler(seed=s, multivariate=True),
    "optuna-random": lambda s: optuna.samplers.RandomSampler(seed=s),
}


def run(objective, sampler, trials, seed):
    f, suggest, noise = OBJECTIVES[objective]
    rng = random.Random(seed * 7919 + trials)
    seen = []

    def evaluate(t):
        p = suggest(t)
        true = f(p)
        seen.append(true)
        t.set_user_attr("true", true)
        return true + rng.gauss(0.0, noise)

    study = optuna.create_study(sampler=SAMPLERS[sampler](seed))
    study.optimize(evaluate, n_trials=trials)
    return study.best_trial.user_attrs["true"]


def seeds(text):
    lo, _, hi = text.partition("-")
    return range(int(lo), int(hi or lo) + 1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1-40")
    parser.add_argument("--trials", default="16,32")
    parser.add_argument("--objectives", default="issue,wide")
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    args = parser.parse_args()
    for objective in args.objectives.split(","):
        for trials in [int(n) for n in args.trials.split(",")]:
            for sampler in args.samplers.split(","):
                for seed in seeds(args.seeds):
                    best = run(objective, sampler, trials, seed)
                    print(json.dumps({"objective": objective, "trials": trials, "sampler": sampler,
                                      "seed": seed, "best": best}), flush=True)
