package io.beamtrain.pipelines.search;

import java.util.Map;

/**
 * A finished trial as the proposal model sees it: its parameters and its metric value, NaN when
 * the trial failed or diverged (such trials count among the bad ones).
 */
public record Observation(String trial, Map<String, Object> params, double value) {}
