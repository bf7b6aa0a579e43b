/**
 * Multi-objective ranking: non-dominated sorting with crowding distance ({@link
 * io.beamtrain.pipelines.pareto.ParetoRanking}) and the hypervolume indicator ({@link
 * io.beamtrain.pipelines.pareto.Hypervolume}) over cost vectors, with no knowledge of trials.
 */
package io.beamtrain.pipelines.pareto;
