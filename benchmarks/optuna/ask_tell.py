#!/usr/bin/python3
"""One Optuna study served over stdin/stdout in JSON lines, for OptunaPeerBenchmark.

Optuna proposes (ask) and decides pruning; the Java side trains every asked trial with beamtrain's
own TrialRunner and answers. Run with Debian's /usr/bin/python3 (python3-optuna 3.1.0); Optuna is
not part of the product.

  /usr/bin/python3 benchmarks/optuna/ask_tell.py --sampler=tpe --seed=1 --trials=16 \
      --min-resource=100 --max-resource=900

Protocol, one JSON object per line:
  out {"trial": n, "params": {...}}      a new trial to train (the issue's search space)
  in  {"report": step, "value": v}       an evaluation of the running trial ...
  out {"prune": true|false}              ... and whether to stop it there (the pruner's answer)
  in  {"tell": v}                        the trial finished with objective value v (its best);
  in  {"pruned": true}                   it stopped on "prune": its last reported value counts;
  in  {"failed": true}                   it failed or diverged
  out {"done": true}                     after the last trial
"""
import argparse
import json
import sys

import optuna
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.WARNING)


def sampler(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, multivariate=name == "tpe-mv")


def pruner(name, args):
    if name == "tpe-hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=args.min_resource, max_resource=args.max_resource, reduction_factor=args.eta)
    return optuna.pruners.NopPruner()


def suggest(t):
    """The issue's space, as an Optuna user writes it (fixed: adam, batch 32)."""
    return {"learning_rate": t.suggest_float("learning_rate", 3e-4, 0.3, log=True),
            "hidden_units": t.suggest_categorical("hidden_units", [16, 32, 64]),
            "num_layers": t.suggest_int("num_layers", 1, 3)}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sampler", choices=["tpe", "tpe-mv", "tpe-hyperband", "random"], required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--direction", default="minimize")
    parser.add_argument("--min-resource", type=int, default=100)
    parser.add_argument("--max-resource", type=int, default=900)
    parser.add_argument("--eta", type=int, default=3)
    args = parser.parse_args()
    study = optuna.create_study(direction=args.direction, sampler=sampler(args.sampler, args.seed),
                                pruner=pruner(args.sampler, args))
    for _ in range(args.trials):
        trial = study.ask()
        send({"trial": trial.number, "params": suggest(trial)})
        while True:
            message = json.loads(sys.stdin.readline())
            if "report" in message:
                trial.report(message["value"], message["report"])
                send({"prune": trial.should_prune()})
            elif "tell" in message:
                study.tell(trial, message["tell"])
                break
            elif message.get("pruned"):
                study.tell(trial, state=TrialState.PRUNED)
                break
            elif message.get("failed"):
                study.tell(trial, state=TrialState.FAIL)
                break
            else:
                raise ValueError("unexpected message: %r" % message)
    send({"done": True})


if __name__ == "__main__":
    main()
