package io.beamtrain.trainer.model;

import io.beamtrain.trainer.model.optimizers.OptimizerKind;
import io.beamtrain.trainer.model.optimizers.schedules.LearningRateDecay;
import io.beamtrain.trainer.model.optimizers.schedules.LearningRateSchedule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A trial's hyperparameters, parsed and validated from the loose {@code Map<String, Object>} of a
 * study spec (JSON/YAML numbers, strings, or numbers as strings).
 *
 * <p>Names (DESIGN.md) and defaults, which together train a good tabular model:
 *
 * <table>
 *   <caption>hyperparameters</caption>
 *   <tr><th>name</th><th>default</th><th>valid values</th></tr>
 *   <tr><td>{@code model}</td><td>dnn</td><td>linear, dnn</td></tr>
 *   <tr><td>{@code hidden_units}</td><td>64</td><td>width of every hidden layer, &ge; 1</td></tr>
 *   <tr><td>{@code num_layers}</td><td>2</td><td>number of hidden layers, &ge; 1</td></tr>
 *   <tr><td>{@code hidden_layers}</td><td>-</td><td>explicit widths, "64,32" or a list;
 *       replaces hidden_units and num_layers</td></tr>
 *   <tr><td>{@code units_<k>}</td><td>hidden_units</td><td>width of hidden layer k (1-based,
 *       k &le; num_layers), &ge; 1: per-layer widths a conditional study searches ({@code
 *       units_2} when {@code num_layers} is 2 or 3)</td></tr>
 *   <tr><td>{@code activation}</td><td>relu</td><td>relu, relu6, leaky_relu, elu, selu, tanh,
 *       sigmoid</td></tr>
 *   <tr><td>{@code dropout}</td><td>0</td><td>[0, 1), rate of hidden units dropped</td></tr>
 *   <tr><td>{@code l2}</td><td>0</td><td>&ge; 0, weight of {@code sum(kernel^2) / 2}</td></tr>
 *   <tr><td>{@code optimizer}</td><td>adam</td><td>sgd, momentum, adam, adagrad, rmsprop</td></tr>
 *   <tr><td>{@code learning_rate}</td><td>0.01</td><td>&gt; 0</td></tr>
 *   <tr><td>{@code learning_rate_decay}</td><td>none</td><td>none, exponential, cosine</td></tr>
 *   <tr><td>{@code decay_steps}</td><td>the trial's train steps (set it when a trial's budget
 *       grows between runs, e.g. successive-halving rungs, or the schedule changes with the
 *       budget)</td><td>&ge; 1</td></tr>
 *   <tr><td>{@code decay_rate}</td><td>0.1</td><td>(0, 1], exponential decay factor per
 *       decay_steps</td></tr>
 *   <tr><td>{@code decay_alpha}</td><td>0</td><td>[0, 1], cosine decay floor</td></tr>
 *   <tr><td>{@code momentum}</td><td>0.9 (momentum), 0 (rmsprop)</td><td>[0, 1)</td></tr>
 *   <tr><td>{@code batch_size}</td><td>64</td><td>1 .. 65536</td></tr>
 *   <tr><td>{@code loss}</td><td>mse (regression), cross_entropy (classification)</td><td>mse,
 *       huber for regression; cross_entropy for classification</td></tr>
 *   <tr><td>{@code huber_delta}</td><td>1.0</td><td>&gt; 0, in target standard deviations</td></tr>
 * </table>
 *
 * <p>Unknown names are rejected (a typo must not silently train the default model). Parameters
 * that the chosen model or optimizer does not use (for example {@code hidden_units} with {@code
 * model=linear}, {@code momentum} with adam) are accepted and ignored, so one study can search
 * across model families. Every error is an {@link IllegalArgumentException} naming the parameter
 * and the value. Immutable and thread-safe.
 *
 * @param hiddenLayers the hidden layer widths (empty for {@link ModelKind#LINEAR})
 * @param decaySteps the decay horizon, 0 meaning "the trial's train steps"
 * @param momentum null when not given: each optimizer then uses its own default
 * @param loss null when not given: the task's default loss
 */
public record HyperParameters(
    ModelKind model,
    List<Integer> hiddenLayers,
    Activation activation,
    double dropout,
    double l2,
    OptimizerKind optimizer,
    double learningRate,
    LearningRateDecay learningRateDecay,
    long decaySteps,
    double decayRate,
    double decayAlpha,
    Double momentum,
    int batchSize,
    String loss,
    double huberDelta) {

  public static final String MODEL = "model";
  public static final String HIDDEN_UNITS = "hidden_units";
  public static final String NUM_LAYERS = "num_layers";
  public static final String HIDDEN_LAYERS = "hidden_layers";
  public static final String ACTIVATION = "activation";
  public static final String DROPOUT = "dropout";
  public static final String L2 = "l2";
  public static final String OPTIMIZER = "optimizer";
  public static final String LEARNING_RATE = "learning_rate";
  public static final String LEARNING_RATE_DECAY = "learning_rate_decay";
  public static final String DECAY_STEPS = "decay_steps";
  public static final String DECAY_RATE = "decay_rate";
  public static final String DECAY_ALPHA = "decay_alpha";
  public static final String MOMENTUM = "momentum";
  public static final String BATCH_SIZE = "batch_size";
  public static final String LOSS = "loss";
  public static final String HUBER_DELTA = "huber_delta";

  /** Prefix of a per-layer width, {@code units_1} for the first hidden layer. */
  public static final String UNITS_PREFIX = "units_";
  private static final java.util.regex.Pattern LAYER_UNITS = java.util.regex.Pattern.compile("units_([1-9][0-9]?)");

  /** Every fixed name the trainer understands; see {@link #isKnown} for the per-layer widths. */
  public static final Set<String> NAMES =
      Set.of(
          MODEL, HIDDEN_UNITS, NUM_LAYERS, HIDDEN_LAYERS, ACTIVATION, DROPOUT, L2, OPTIMIZER,
          LEARNING_RATE, LEARNING_RATE_DECAY, DECAY_STEPS, DECAY_RATE, DECAY_ALPHA, MOMENTUM,
          BATCH_SIZE, LOSS, HUBER_DELTA);

  public static final int DEFAULT_HIDDEN_UNITS = 64;
  public static final int DEFAULT_NUM_LAYERS = 2;
  public static final double DEFAULT_LEARNING_RATE = 0.01;
  public static final int DEFAULT_BATCH_SIZE = 64;
  public static final double DEFAULT_DECAY_RATE = 0.1;
  public static final double DEFAULT_HUBER_DELTA = 1.0;
  public static final int MAX_BATCH_SIZE = 1 << 16;
  public static final int MAX_LAYER_WIDTH = 1 << 16;
  public static final String CROSS_ENTROPY = "cross_entropy";

  public HyperParameters {
    hiddenLayers = List.copyOf(hiddenLayers);
  }

  /** The defaults: a 2x64 ReLU DNN trained by Adam at learning rate 0.01, batch 64. */
  public static HyperParameters defaults() {
    return parse(Map.of());
  }

  /** Whether the trainer understands {@code name}: one of {@link #NAMES} or {@code units_1} .. {@code units_64}. */
  public static boolean isKnown(String name) {
    if (NAMES.contains(name)) {
      return true;
    }
    java.util.regex.Matcher m = LAYER_UNITS.matcher(name);
    return m.matches() && Integer.parseInt(m.group(1)) <= 64;
  }

  /** Parses and validates; see the class Javadoc for names, defaults and ranges. */
  public static HyperParameters parse(Map<String, ?> params) {
    List<String> unknown =
        params.keySet().stream().filter(k -> !isKnown(k)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown hyperparameter"
              + (unknown.size() > 1 ? "s " : " ")
              + unknown.stream().map(k -> "'" + k + "'").collect(Collectors.joining(", "))
              + "; known: "
              + NAMES.stream().sorted().collect(Collectors.joining(", "))
              + ", units_1 .. units_64");
    }
    Reader in = new Reader(params);
    ModelKind model = in.enumValue(MODEL, ModelKind.class, ModelKind.DNN);
    List<Integer> layers = hiddenLayers(in, model);
    Activation activation = in.enumValue(ACTIVATION, Activation.class, Activation.RELU);
    double dropout = in.number(DROPOUT, 0.0);
    if (!(dropout >= 0 && dropout < 1)) {
      throw in.outOfRange(DROPOUT, "must be in [0, 1)");
    }
    double l2 = in.number(L2, 0.0);
    if (!(l2 >= 0) || Double.isInfinite(l2)) {
      throw in.outOfRange(L2, "must be >= 0 and finite");
    }
    OptimizerKind optimizer = in.enumValue(OPTIMIZER, OptimizerKind.class, OptimizerKind.ADAM);
    double learningRate = in.number(LEARNING_RATE, DEFAULT_LEARNING_RATE);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw in.outOfRange(LEARNING_RATE, "must be > 0 and finite");
    }
    LearningRateDecay decay =
        in.enumValue(LEARNING_RATE_DECAY, LearningRateDecay.class, LearningRateDecay.NONE);
    long decaySteps = in.integer(DECAY_STEPS, 0);
    if (params.containsKey(DECAY_STEPS) && decaySteps < 1) {
      throw in.outOfRange(DECAY_STEPS, "must be >= 1");
    }
    double decayRate = in.number(DECAY_RATE, DEFAULT_DECAY_RATE);
    if (!(decayRate > 0 && decayRate <= 1)) {
      throw in.outOfRange(DECAY_RATE, "must be in (0, 1]");
    }
    double decayAlpha = in.number(DECAY_ALPHA, 0.0);
    if (!(decayAlpha >= 0 && decayAlpha <= 1)) {
      throw in.outOfRange(DECAY_ALPHA, "must be in [0, 1]");
    }
    Double momentum = params.containsKey(MOMENTUM) ? in.number(MOMENTUM, 0) : null;
    if (momentum != null && !(momentum >= 0 && momentum < 1)) {
      throw in.outOfRange(MOMENTUM, "must be in [0, 1)");
    }
    long batchSize = in.integer(BATCH_SIZE, DEFAULT_BATCH_SIZE);
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw in.outOfRange(BATCH_SIZE, "must be in [1, " + MAX_BATCH_SIZE + "]");
    }
    String loss = params.containsKey(LOSS) ? in.string(LOSS).toLowerCase(Locale.ROOT) : null;
    if (loss != null && !loss.equals(CROSS_ENTROPY)) {
      in.enumValue(LOSS, RegressionLoss.class, RegressionLoss.MSE);
    }
    double huberDelta = in.number(HUBER_DELTA, DEFAULT_HUBER_DELTA);
    if (!(huberDelta > 0) || Double.isInfinite(huberDelta)) {
      throw in.outOfRange(HUBER_DELTA, "must be > 0 and finite");
    }
    return new HyperParameters(
        model, layers, activation, dropout, l2, optimizer, learningRate, decay, decaySteps,
        decayRate, decayAlpha, momentum, (int) batchSize, loss, huberDelta);
  }

  private static List<Integer> hiddenLayers(Reader in, ModelKind model) {
    boolean explicit = in.has(HIDDEN_LAYERS);
    List<String> perLayer = in.params().keySet().stream().filter(k -> k.startsWith(UNITS_PREFIX)).sorted().toList();
    if (explicit && (in.has(HIDDEN_UNITS) || in.has(NUM_LAYERS) || !perLayer.isEmpty())) {
      throw new IllegalArgumentException(
          "hyperparameter 'hidden_layers' cannot be combined with 'hidden_units', 'num_layers' or"
              + " 'units_<k>': give the layer widths one way");
    }
    List<Integer> layers = new ArrayList<>();
    if (explicit) {
      for (Object item : in.list(HIDDEN_LAYERS)) {
        long width = in.integerOf(HIDDEN_LAYERS, item);
        if (width < 1 || width > MAX_LAYER_WIDTH) {
          throw new IllegalArgumentException(
              "hyperparameter 'hidden_layers': layer width "
                  + item
                  + " out of range: must be in [1, "
                  + MAX_LAYER_WIDTH
                  + "] (value "
                  + in.raw(HIDDEN_LAYERS)
                  + ")");
        }
        layers.add((int) width);
      }
      if (layers.isEmpty()) {
        throw in.outOfRange(HIDDEN_LAYERS, "must list at least one layer width");
      }
    } else {
      long units = in.integer(HIDDEN_UNITS, DEFAULT_HIDDEN_UNITS);
      if (units < 1 || units > MAX_LAYER_WIDTH) {
        throw in.outOfRange(HIDDEN_UNITS, "must be in [1, " + MAX_LAYER_WIDTH + "]");
      }
      long count = in.integer(NUM_LAYERS, DEFAULT_NUM_LAYERS);
      if (count < 1 || count > 64) {
        throw in.outOfRange(
            NUM_LAYERS, "must be in [1, 64] (use model=linear for no hidden layer)");
      }
      for (int i = 0; i < count; i++) {
        layers.add((int) units);
      }
      // A per-layer width replaces hidden_units for its layer; one beyond the depth is a study
      // whose condition is missing (units_3 must apply only when num_layers is 3 or more).
      for (String name : perLayer) {
        int layer = Integer.parseInt(name.substring(UNITS_PREFIX.length()));
        if (layer > count) {
          throw new IllegalArgumentException("hyperparameter '" + name + "': layer " + layer
              + " does not exist with num_layers=" + count
              + " (make it conditional, e.g. when: {num_layers: [" + layer + ", ...]})");
        }
        long width = in.integer(name, units);
        if (width < 1 || width > MAX_LAYER_WIDTH) {
          throw in.outOfRange(name, "must be in [1, " + MAX_LAYER_WIDTH + "]");
        }
        layers.set(layer - 1, (int) width);
      }
    }
    return model == ModelKind.LINEAR ? List.of() : layers;
  }

  /** The momentum the optimizer uses: the given value or the optimizer's default. */
  public double effectiveMomentum() {
    if (momentum != null) {
      return momentum;
    }
    return optimizer == OptimizerKind.MOMENTUM ? 0.9 : 0.0;
  }

  /** The regression loss; {@link RegressionLoss#MSE} unless {@code loss=huber}. */
  public RegressionLoss regressionLoss() {
    if (loss == null) {
      return RegressionLoss.MSE;
    }
    if (loss.equals(CROSS_ENTROPY)) {
      throw new IllegalArgumentException(
          "hyperparameter 'loss': value 'cross_entropy' applies to classification, but the label"
              + " is a regression target; use mse or huber");
    }
    return RegressionLoss.valueOf(loss.toUpperCase(Locale.ROOT));
  }

  /** Fails unless {@code loss} is absent or {@code cross_entropy}: the only classification loss. */
  public void requireClassificationLoss() {
    if (loss != null && !loss.equals(CROSS_ENTROPY)) {
      throw new IllegalArgumentException(
          "hyperparameter 'loss': value '"
              + loss
              + "' applies to regression, but the label is a class; use cross_entropy or leave it"
              + " out");
    }
  }

  /** The learning-rate schedule of a trial of {@code trainSteps} steps. */
  public LearningRateSchedule schedule(long trainSteps) {
    long horizon = decaySteps > 0 ? decaySteps : Math.max(1, trainSteps);
    return new LearningRateSchedule(
        learningRate, learningRateDecay, horizon, decayRate, decayAlpha);
  }

  /** Every resolved value by its hyperparameter name (defaults filled in), for params.json. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(MODEL, lower(model));
    if (model == ModelKind.DNN) {
      out.put(HIDDEN_LAYERS, hiddenLayers.stream().map(String::valueOf).collect(Collectors.joining(",")));
      out.put(ACTIVATION, lower(activation));
      out.put(DROPOUT, dropout);
    }
    out.put(L2, l2);
    out.put(OPTIMIZER, lower(optimizer));
    out.put(LEARNING_RATE, learningRate);
    out.put(LEARNING_RATE_DECAY, lower(learningRateDecay));
    if (learningRateDecay != LearningRateDecay.NONE && decaySteps > 0) {
      out.put(DECAY_STEPS, decaySteps);
    }
    if (learningRateDecay == LearningRateDecay.EXPONENTIAL) {
      out.put(DECAY_RATE, decayRate);
    }
    if (learningRateDecay == LearningRateDecay.COSINE) {
      out.put(DECAY_ALPHA, decayAlpha);
    }
    if (optimizer == OptimizerKind.MOMENTUM || optimizer == OptimizerKind.RMSPROP) {
      out.put(MOMENTUM, effectiveMomentum());
    }
    out.put(BATCH_SIZE, batchSize);
    if (loss != null) {
      out.put(LOSS, loss);
      if (loss.equals("huber")) {
        out.put(HUBER_DELTA, huberDelta);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** Typed access to the raw map with errors that name the parameter and quote the value. */
  private record Reader(Map<String, ?> params) {

    boolean has(String name) {
      return params.containsKey(name);
    }

    Object raw(String name) {
      return params.get(name);
    }

    IllegalArgumentException outOfRange(String name, String rule) {
      return new IllegalArgumentException(
          "hyperparameter '" + name + "' out of range: " + rule + ", was " + raw(name));
    }

    private IllegalArgumentException wrongType(String name, Object value, String expected) {
      return new IllegalArgumentException(
          "hyperparameter '" + name + "': expected " + expected + ", was '" + value + "'");
    }

    String string(String name) {
      Object value = raw(name);
      if (!(value instanceof String || value instanceof Enum<?>)) {
        throw wrongType(name, value, "a string");
      }
      return value.toString().trim();
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type, E fallback) {
      if (!has(name)) {
        return fallback;
      }
      String text = string(name);
      for (E constant : type.getEnumConstants()) {
        if (constant.name().equalsIgnoreCase(text)) {
          return constant;
        }
      }
      String allowed =
          java.util.Arrays.stream(type.getEnumConstants())
              .map(HyperParameters::lower)
              .collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          "hyperparameter '" + name + "': unknown value '" + text + "'; expected one of " + allowed);
    }

    double number(String name, double fallback) {
      if (!has(name)) {
        return fallback;
      }
      return numberOf(name, raw(name));
    }

    double numberOf(String name, Object value) {
      if (value instanceof Number number) {
        return number.doubleValue();
      }
      if (value instanceof String text) {
        try {
          return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
          throw wrongType(name, value, "a number");
        }
      }
      throw wrongType(name, value, "a number");
    }

    long integer(String name, long fallback) {
      if (!has(name)) {
        return fallback;
      }
      return integerOf(name, raw(name));
    }

    long integerOf(String name, Object value) {
      double number = numberOf(name, value);
      if (number != Math.rint(number) || Double.isInfinite(number)) {
        throw wrongType(name, value, "an integer");
      }
      return (long) number;
    }

    List<?> list(String name) {
      Object value = raw(name);
      if (value instanceof List<?> items) {
        return items;
      }
      if (value instanceof Number) {
        return List.of(value);
      }
      if (value instanceof String text) {
        if (text.isBlank()) {
          return List.of();
        }
        return java.util.Arrays.stream(text.split(",")).map(String::trim).toList();
      }
      throw wrongType(name, value, "layer widths like \"64,32\" or a list of integers");
    }
  }
}
