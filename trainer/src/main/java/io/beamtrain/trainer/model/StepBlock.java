package io.beamtrain.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * {@code steps} training steps unrolled into one op of the {@link TrainingGraph}, so that one
 * {@code Session.run} trains them all (Keras' {@code steps_per_execution}): for small models the
 * round trip of a run, not the arithmetic, is what a step costs.
 *
 * <p>Inputs, one row per step, stacked: {@code features} {@code [steps, -1, width]}, {@code
 * labels} {@code [steps, -1]}, {@code learning_rates} {@code [steps]} (defaults to the
 * hyperparameter for every step) and, with dropout, {@code dropout_seeds} {@code [steps, 2]}.
 * {@link #train} runs the steps in order; {@link #lastLoss} is the loss of the last one, before
 * its update (as {@link TrainingGraph#loss} is for a single step).
 *
 * @param steps how many steps one run trains
 * @param lastLoss the batch loss (with L2) of the last step, before its update
 * @param train the target that trains all the steps
 */
public record StepBlock(
    int steps,
    Operand<TFloat32> features,
    Operand<?> labels,
    Operand<TFloat32> learningRates,
    Operand<TInt64> dropoutSeeds,
    Operand<TFloat32> lastLoss,
    Op train) {}
