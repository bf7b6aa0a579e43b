/**
 * Hyperparameter importance: which parameters explain where a study's best trials are, by
 * PED-ANOVA ({@link io.beamtrain.pipelines.importance.PedAnova}) over plain observations (a
 * trial's parameters and its score), with no knowledge of files or trials.
 */
package io.beamtrain.pipelines.importance;
