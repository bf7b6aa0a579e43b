package io.beamtrain.pipelines.preprocess;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The input's schema: which columns to use, their types, the label and the task. The content of a
 * {@code --schema} file (JSON or YAML) and of the {@code data/schema.json} that every preprocess
 * run writes, so an inferred schema can be saved, edited and pinned:
 *
 * <pre>{@code
 * label: species
 * task: MULTICLASS_CLASSIFICATION     # optional, see below
 * columns:
 *   - {name: species, type: CATEGORICAL}
 *   - {name: island, type: CATEGORICAL}
 *   - {name: beak_length_mm, type: NUMERIC}
 * }</pre>
 *
 * <p>Columns of the input that the schema does not list are not used. The label's type decides
 * the kind of task: a NUMERIC label means REGRESSION, a CATEGORICAL label classification. Without
 * a {@code task}, a classification is BINARY_CLASSIFICATION when the data has exactly two classes
 * and MULTICLASS_CLASSIFICATION otherwise; a given {@code task} must agree with the label's type.
 * Immutable and validated when built; every message names the offending field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"label", "task", "columns"})
public record DataSchema(
    @JsonProperty("label") String label,
    @JsonProperty("task") Task task,
    @JsonProperty("columns") List<Column> columns)
    implements Serializable {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  /** One input column used by the model. */
  @JsonPropertyOrder({"name", "type"})
  public record Column(
      @JsonProperty("name") String name, @JsonProperty("type") FeatureType type)
      implements Serializable {
    public Column {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("schema: every column needs a non-blank 'name'");
      }
      if (type == null) {
        throw new IllegalArgumentException(
            "schema: column '" + name + "' needs a 'type' (NUMERIC or CATEGORICAL)");
      }
    }
  }

  public DataSchema {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("schema: 'label' is required");
    }
    if (columns == null || columns.isEmpty()) {
      throw new IllegalArgumentException("schema: 'columns' must list at least the label");
    }
    columns = List.copyOf(columns);
    Set<String> names = new HashSet<>();
    for (Column column : columns) {
      if (!names.add(column.name())) {
        throw new IllegalArgumentException(
            "schema: column '" + column.name() + "' is listed twice in 'columns'");
      }
    }
    if (!names.contains(label)) {
      throw new IllegalArgumentException(
          "schema: 'label' names column '" + label + "', which is not among 'columns' " + names);
    }
    if (columns.size() < 2) {
      throw new IllegalArgumentException(
          "schema: 'columns' has no feature besides the label '" + label + "'");
    }
    FeatureType labelType =
        columns.stream().filter(c -> c.name().equals(label)).findFirst().orElseThrow().type();
    if (task == Task.REGRESSION && labelType != FeatureType.NUMERIC) {
      throw new IllegalArgumentException(
          "schema: 'task' REGRESSION needs a NUMERIC label, but '" + label + "' is " + labelType);
    }
    if (task != null && task.isClassification() && labelType != FeatureType.CATEGORICAL) {
      throw new IllegalArgumentException(
          "schema: 'task' "
              + task
              + " needs a CATEGORICAL label (classes are strings), but '"
              + label
              + "' is "
              + labelType);
    }
  }

  /** Parses a schema file's text, JSON or YAML; {@code source} names the file in errors. */
  public static DataSchema parse(String text, String source) {
    Object tree;
    try {
      tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(source + ": not valid JSON or YAML: " + e.getMessage(), e);
    }
    if (tree == null) {
      throw new IllegalArgumentException(source + ": the schema file is empty");
    }
    try {
      return JSON.convertValue(tree, DataSchema.class);
    } catch (IllegalArgumentException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException inner ? inner : e;
      throw new IllegalArgumentException(source + ": " + firstLine(cause.getMessage()), e);
    }
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @JsonIgnore
  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** Position of the label in {@link #columns()}. */
  @JsonIgnore
  public int labelIndex() {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(label)) {
        return i;
      }
    }
    throw new AssertionError("validated: the label is a column");
  }

  @JsonIgnore
  public FeatureType labelType() {
    return columns.get(labelIndex()).type();
  }

  /** The columns other than the label, in order. */
  @JsonIgnore
  public List<Column> features() {
    return columns.stream().filter(c -> !c.name().equals(label)).toList();
  }

  /**
   * This schema without the named columns ({@code --ignore}); naming the label or a column the
   * schema does not have is an error.
   */
  public DataSchema withoutColumns(Collection<String> ignored) {
    if (ignored.isEmpty()) {
      return this;
    }
    Set<String> names = new HashSet<>(columnNames());
    List<Column> kept = new ArrayList<>();
    for (String name : ignored) {
      if (name.equals(label)) {
        throw new IllegalArgumentException("--ignore names the label column '" + label + "'");
      }
      if (!names.contains(name)) {
        throw new IllegalArgumentException(
            "--ignore names column '" + name + "', which the input does not have; columns: "
                + columnNames());
      }
    }
    for (Column column : columns) {
      if (!ignored.contains(column.name())) {
        kept.add(column);
      }
    }
    return new DataSchema(label, task, kept);
  }

  public DataSchema withTask(Task newTask) {
    return Objects.equals(task, newTask) ? this : new DataSchema(label, newTask, columns);
  }
}
