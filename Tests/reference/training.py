#!/usr/bin/env python3
"""Replays ablate's optimizer steps on one batch in float64 NumPy and compares them with ablate's.

    training.py DIR

DIR holds what ReferenceTrainingTests wrote after k steps of Trainer's step on one fixed batch:

    initial.safetensors     the model before the first step (config JSON in the metadata)
    batch.json              the SequenceBatch, snake_case keys, flat row-major lists
    run.json                {"train": the training settings' JSON, "steps": [{"step", "loss",
                            "gradient_norm", "learning_rate"}, ...]} as ablate reported them
    gradients_1.safetensors the gradients of step 1, after clipping
    final.safetensors       the parameters after the last step
    adam_m.safetensors, adam_v.safetensors   Adam's moments after the last step

From initial.safetensors, the reference takes the same steps with its own loss and hand-written
backward (transformer_training.py, rnn_training.py, by the config's arch), its own global-norm
clipping, Adam or AdamW and learning-rate schedule, each written from the formulas that
Sources/Training states (Clipping.swift, Optimizers.swift, Schedules.swift, RunSpec.swift). It prints
what it compared and the worst differences, and exits 1 with the reasons when something disagrees
beyond the tolerances below.

ablate computes in float32 and the reference in float64, so the two trajectories drift apart by
rounding; the tolerances are a few times the drift observed on the test's models, far below what a
wrong formula causes. The hyperparameters ablate converts to float32 before use (label smoothing,
clip_norm, the learning rate) are converted here too, so that both sides take the same numbers.
"""
import json
import math
import os
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

import transformer_training

# The Trainer's Adam and AdamW keep the default epsilon: TrainingSettings has no setting for it.
ADAM_EPSILON = 1e-8

# Losses and gradient norms: relative difference, by step (the last value for later steps). The
# first step sees the same parameters on both sides (only float32 rounding of the forward); later
# steps see parameters that have drifted by the rounding of earlier steps. Observed on the test's
# five models: at most 4e-7 at step 1 and 3e-6 later.
LOSS_TOLERANCE = [3e-6, 1e-5, 3e-5]
NORM_TOLERANCE = [3e-6, 1e-5, 3e-5]
# Learning rates: relative, a few float32 roundings (observed: equal).
RATE_TOLERANCE = 1e-6

# The step-1 gradients, moments m and v: per tensor, the largest difference relative to the
# tensor's largest magnitude, or to SCALE_FLOOR of the model's largest component when that is
# larger (SCALE_FLOOR squared for v, a square). float32 rounding leaves an absolute error of up to
# about 5e-8 of the model's largest gradient in every component, and a tensor whose gradient is 0
# in exact arithmetic (a key bias: softmax ignores a constant added to all the scores of a query)
# holds only that noise. Observed: at most 8e-7 for the gradients, 1.2e-5 for the moments.
GRADIENT_TOLERANCE = 1e-5
MOMENT_TOLERANCE = 1e-4
SCALE_FLOOR = 1e-1

# The parameters' movement final - initial: the difference, in units of the sum of the steps'
# learning rates (Adam moves a component by about its learning rate per step, at most a few times
# more), at most MOVEMENT_TOLERANCE (observed: at most 4.3e-5).
#
# Adam divides each gradient component by its own size, so a component's relative rounding error
# becomes an error in its step. float32 gradients differ from float64 by up to about 5e-6 of their
# tensor's largest component (measured), so a component whose gradient is below GRADIENT_NOISE of
# that at some step has a step that float32 does not determine, in size or in sign. The tensor's
# largest is taken as at least TENSOR_FLOOR of the model's largest, so that a tensor whose gradient
# is 0 in exact arithmetic (the key biases) counts as noise throughout, and so does a component
# whose float64 gradient is an exact 0 where ablate's is not. Such an undetermined component is only
# held to Adam's bound |movement| <= ADAM_BOUND * sum_t lr_t, and its moments are not compared (with
# weight decay they follow the parameter). A gradient that is 0 on both sides (a token, a learned
# position or a ReLU unit the batch does not reach) is exact and compared like the others. At most
# UNDETERMINED_FRACTION of the components may be undetermined, or the models are no test
# (observed: at most 51 of 5911, the 48 key biases of the encoder-decoder and 3 more).
MOVEMENT_TOLERANCE = 2e-4
GRADIENT_NOISE = 1e-5
TENSOR_FLOOR = 1e-6
ADAM_BOUND = 3.0
UNDETERMINED_FRACTION = 0.05


def family(config):
    arch = config.get("arch", "transformer")
    if arch == "transformer":
        return transformer_training
    if arch == "rnn":
        import rnn_training
        return rnn_training
    raise ValueError(f"no reference for arch {arch!r}")


def float32(x):
    return float(np.float32(x))


def learning_rate(train, step):
    """TrainingSettings.learningRateSchedule at the 1-based `step`, rounded to float32 as ablate does."""
    peak = float32(train["lr"])
    warmup = train["warmup"]
    schedule = train["schedule"]
    s = float(step)
    if schedule == "constant" or (schedule == "inverse_sqrt" and warmup == 0):
        return peak
    if schedule == "warmup":
        return float32(peak * (min(1.0, s / warmup) if warmup > 0 else 1.0))
    if schedule == "inverse_sqrt":
        return float32(peak * min(s / warmup, math.sqrt(warmup / s)))
    if schedule == "cosine":
        total = max(train["steps"], warmup + 1)
        if step <= warmup:
            return float32(peak * (min(1.0, s / warmup) if warmup > 0 else 1.0))
        if step >= total:
            return 0.0
        progress = (s - warmup) / (total - warmup)
        return float32(peak * (1 + math.cos(math.pi * progress)) / 2)
    raise ValueError(f"unknown schedule {schedule!r}")


class Adam:
    """Adam (L2 weight decay in the gradient) or AdamW (decoupled), as Optimizers.swift states them."""

    def __init__(self, params, train):
        self.kind = train["optimizer"]
        if self.kind not in ("adam", "adamw"):
            raise NotImplementedError(f"optimizer {self.kind}")
        self.beta1, self.beta2 = train["beta1"], train["beta2"]
        self.weight_decay = train["weight_decay"]
        self.m = {name: np.zeros_like(value) for name, value in params.items()}
        self.v = {name: np.zeros_like(value) for name, value in params.items()}
        self.t = 0

    def step(self, params, grads, lr):
        self.t += 1
        b1, b2, t = self.beta1, self.beta2, self.t
        for name, p in params.items():
            g = grads[name]
            if self.kind == "adam" and self.weight_decay != 0:
                g = g + self.weight_decay * p
            if self.kind == "adamw":
                p = p * (1 - lr * self.weight_decay)
            self.m[name] = b1 * self.m[name] + (1 - b1) * g
            self.v[name] = b2 * self.v[name] + (1 - b2) * g * g
            m_hat = self.m[name] / (1 - b1 ** t)
            v_hat = self.v[name] / (1 - b2 ** t)
            params[name] = p - lr * m_hat / (np.sqrt(v_hat) + ADAM_EPSILON)


def clip(grads, max_norm):
    """Global-norm clipping with the exact ratio max_norm / norm; returns the norm before clipping."""
    norm = math.sqrt(sum(float((g * g).sum()) for g in grads.values()))
    if max_norm is not None and norm > max_norm:
        for name in grads:
            grads[name] = grads[name] * (max_norm / norm)
    return norm


def by_step(tolerances, step):
    return tolerances[min(step, len(tolerances)) - 1]


def relative(a, b):
    return abs(a - b) / max(abs(b), 1e-30)


def load64(path):
    return {name: value.astype(np.float64) for name, value in load_file(path).items()}


class Comparison:
    """What was compared (report lines) and what disagreed (failure lines)."""

    def __init__(self):
        self.report, self.failures = [], []

    def check(self, error, tolerance, message):
        if error > tolerance:
            self.failures.append(f"{message} ({error:.2e} > {tolerance:.0e})")


def load_run(directory):
    path = os.path.join(directory, "initial.safetensors")
    with safe_open(path, framework="numpy") as f:
        config = json.loads(f.metadata()["config"])
    with open(os.path.join(directory, "batch.json")) as f:
        batch = json.load(f)
    with open(os.path.join(directory, "run.json")) as f:
        run = json.load(f)
    return config, load64(path), batch, run["train"], run["steps"]


def take_steps(params, config, batch, train, reported, swift_first_gradients, comparison):
    """Takes the reported steps from `params` (updated in place), compares each step's loss, norm
    and learning rate; returns the optimizer, the step-1 gradients, the undetermined components and
    the sum of the learning rates."""
    label_smoothing = float32(train["label_smoothing"])
    max_norm = None if train["clip_norm"] is False else float32(train["clip_norm"])
    model = family(config)
    optimizer = Adam(params, train)
    undetermined = {name: np.zeros(value.shape, dtype=bool) for name, value in params.items()}
    first_gradients = None
    rate_sum = worst_loss = worst_norm = worst_rate = 0.0
    for record in reported:
        t = record["step"]
        loss, grads = model.loss_and_grads(params, config, batch, label_smoothing)
        missing = set(params) - set(grads)
        if missing:
            raise ValueError(f"the reference returned no gradient for {sorted(missing)}")
        norm = clip(grads, max_norm)
        lr = learning_rate(train, t)
        # the components whose float32 gradient is rounding noise (see MOVEMENT_TOLERANCE)
        largest = max(float(np.abs(g).max()) for g in grads.values())
        for name, g in grads.items():
            noise = GRADIENT_NOISE * max(float(np.abs(g).max()), TENSOR_FLOOR * largest)
            undetermined[name] |= (np.abs(g) < noise) & (g != 0)
            if t == 1:
                undetermined[name] |= (g == 0) & (swift_first_gradients[name] != 0)
        if first_gradients is None:
            first_gradients = {name: g.copy() for name, g in grads.items()}
        optimizer.step(params, grads, lr)
        rate_sum += lr

        loss_error = relative(record["loss"], loss)
        norm_error = relative(record["gradient_norm"], norm)
        rate_error = relative(record["learning_rate"], lr)
        worst_loss, worst_norm, worst_rate = max(worst_loss, loss_error), max(worst_norm, norm_error), max(worst_rate, rate_error)
        clipped = max_norm is not None and norm > max_norm
        comparison.report.append(
            f"step {t}: loss {record['loss']:.9g} vs {loss:.9g} (rel {loss_error:.1e}), norm {record['gradient_norm']:.6g} "
            f"vs {norm:.6g} (rel {norm_error:.1e}){' clipped' if clipped else ''}, lr {record['learning_rate']:.6g} vs {lr:.6g}")
        comparison.check(loss_error, by_step(LOSS_TOLERANCE, t),
                         f"step {t}: loss {record['loss']!r}, the reference {loss!r}, relative difference")
        comparison.check(norm_error, by_step(NORM_TOLERANCE, t),
                         f"step {t}: gradient norm before clipping {record['gradient_norm']!r}, the reference {norm!r}, relative difference")
        comparison.check(rate_error, RATE_TOLERANCE,
                         f"step {t}: learning rate {record['learning_rate']!r}, the schedule's {lr!r}, relative difference")
        if max_norm is not None and clipped != (record["gradient_norm"] > max_norm):
            comparison.failures.append(
                f"step {t}: ablate {'clipped' if record['gradient_norm'] > max_norm else 'did not clip'} (norm "
                f"{record['gradient_norm']!r}, clip_norm {max_norm!r}), the reference's norm {norm!r} says otherwise")
    comparison.report.insert(0, f"{config.get('arch', 'transformer')} {config.get('layout', config.get('cell', ''))}: "
                                f"{len(reported)} steps, worst relative difference of the losses {worst_loss:.1e}, "
                                f"the gradient norms {worst_norm:.1e}, the learning rates {worst_rate:.1e}")
    return optimizer, first_gradients, undetermined, rate_sum


def compare_tensors(label, swift, reference, tolerance, floor, comparison, skip=None):
    """Per tensor: the largest difference over max(the tensor's largest magnitude, floor * the largest of all)."""
    largest = max(float(np.abs(value).max()) for value in reference.values())
    worst, worst_name = 0.0, None
    for name, expected in reference.items():
        difference = np.abs(swift[name] - expected)
        if skip is not None:
            difference = np.where(skip[name], 0, difference)
        error = float(difference.max() / max(float(np.abs(expected).max()), floor * largest))
        if error > worst:
            worst, worst_name = error, name
        comparison.check(error, tolerance, f"{label} {name}: largest difference relative to the tensor's largest magnitude")
    comparison.report.append(f"{label}: worst relative difference {worst:.1e} ({worst_name})")


def compare_movement(initial, swift_final, reference_final, undetermined, rate_sum, comparison):
    """final - initial on both sides, in units of the learning rates' sum (see MOVEMENT_TOLERANCE)."""
    worst, worst_at = 0.0, None
    compared = beyond = bounded = 0
    bounded_movement = 0.0
    for name, reference in reference_final.items():
        swift_movement = swift_final[name] - initial[name]
        reference_movement = reference - initial[name]
        error = np.abs(swift_movement - reference_movement) / rate_sum
        checked = ~undetermined[name]
        compared += int(checked.sum())
        bounded += int((~checked).sum())
        if checked.any():
            index = np.unravel_index(np.argmax(np.where(checked, error, -1)), error.shape)
            if error[index] > worst:
                worst, worst_at = float(error[index]), f"{name}{list(map(int, index))}"
        if (~checked).any():
            bounded_movement = max(bounded_movement, float(np.abs(swift_movement[~checked]).max()) / rate_sum)
        bad = checked & (error > MOVEMENT_TOLERANCE)
        beyond += int(bad.sum())
        for index in list(zip(*np.nonzero(bad)))[:3]:
            comparison.failures.append(
                f"final {name}{list(map(int, index))}: moved by {swift_movement[index]:.9g}, the reference by "
                f"{reference_movement[index]:.9g} ({error[index]:.2e} of the learning rates' sum {rate_sum:.3g} > {MOVEMENT_TOLERANCE:.0e})")
        unbounded = ~checked & (np.abs(swift_movement) > ADAM_BOUND * rate_sum)
        for index in list(zip(*np.nonzero(unbounded)))[:3]:
            comparison.failures.append(
                f"final {name}{list(map(int, index))}: moved by {swift_movement[index]:.9g}, more than {ADAM_BOUND} x the "
                f"learning rates' sum {rate_sum:.3g} (its gradient is rounding noise)")
    if bounded > UNDETERMINED_FRACTION * (compared + bounded):
        comparison.failures.append(f"{bounded} of {compared + bounded} components have gradients below the rounding noise: "
                                   f"too few are compared for the test to mean much (choose another model or batch)")
    comparison.report.append(
        f"final parameters: worst movement difference {worst:.1e} of the learning rates' sum ({worst_at}); {compared} "
        f"components compared, {beyond} beyond {MOVEMENT_TOLERANCE:.0e}; {bounded} with a gradient below the rounding "
        f"noise only bounded (largest movement {bounded_movement:.2f} of the rates' sum)")


def replay(directory):
    """Takes the steps in float64 and compares them with ablate's; returns the Comparison."""
    def swift(name):
        return load64(os.path.join(directory, name))
    config, params, batch, train, reported = load_run(directory)
    initial = {name: value.copy() for name, value in params.items()}
    comparison = Comparison()
    first_swift = swift("gradients_1.safetensors")
    optimizer, first_gradients, undetermined, rate_sum = take_steps(params, config, batch, train, reported, first_swift,
                                                                    comparison)
    compare_tensors("step-1 gradients (clipped)", first_swift, first_gradients, GRADIENT_TOLERANCE, SCALE_FLOOR, comparison)
    compare_tensors("Adam m", swift("adam_m.safetensors"), optimizer.m, MOMENT_TOLERANCE, SCALE_FLOOR, comparison,
                    skip=undetermined)
    compare_tensors("Adam v", swift("adam_v.safetensors"), optimizer.v, MOMENT_TOLERANCE, SCALE_FLOOR ** 2, comparison,
                    skip=undetermined)
    compare_movement(initial, swift("final.safetensors"), params, undetermined, rate_sum, comparison)
    return comparison


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    comparison = replay(sys.argv[1])
    print("\n".join(comparison.report))
    if comparison.failures:
        print("\n".join(["DISAGREES:"] + comparison.failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
