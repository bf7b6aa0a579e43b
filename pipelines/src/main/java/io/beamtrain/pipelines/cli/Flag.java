package io.beamtrain.pipelines.cli;

import java.beans.Introspector;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * A command-line flag as declared by a getter of a beamtrain options interface: {@code
 * getOutput()} with {@code @Description} is {@code --output}. Beam's own options (runner,
 * project, ...) are not listed here; {@link HelpPrinter} points at them.
 *
 * @param name the flag without dashes
 * @param type a short type name: {@code <string>}, {@code <int>}, ...
 * @param description from {@code @Description}
 * @param defaultValue from the {@code @Default.*} annotation, or null
 * @param required whether {@code @Validation.Required} is present
 */
public record Flag(String name, String type, String description, String defaultValue, boolean required) {

  /** The beamtrain flags of an options interface, required ones first, then by name. */
  public static List<Flag> of(Class<? extends PipelineOptions> options) {
    Map<String, Flag> flags = new LinkedHashMap<>();
    for (Class<?> type : beamtrainInterfaces(options)) {
      for (Method method : type.getDeclaredMethods()) {
        Description description = method.getAnnotation(Description.class);
        String property = propertyName(method);
        if (description == null || property == null) {
          continue;
        }
        flags.putIfAbsent(property, new Flag(
            property,
            typeName(method.getReturnType()),
            description.value(),
            defaultValue(method),
            method.isAnnotationPresent(Validation.Required.class)));
      }
    }
    List<Flag> sorted = new ArrayList<>(flags.values());
    sorted.sort(Comparator.comparing((Flag f) -> !f.required()).thenComparing(Flag::name));
    return sorted;
  }

  private static List<Class<?>> beamtrainInterfaces(Class<?> root) {
    List<Class<?>> out = new ArrayList<>();
    Deque<Class<?>> queue = new ArrayDeque<>(List.of(root));
    Set<Class<?>> seen = new HashSet<>();
    while (!queue.isEmpty()) {
      Class<?> type = queue.removeFirst();
      if (!seen.add(type)) {
        continue;
      }
      if (type.getName().startsWith("io.beamtrain.")) {
        out.add(type);
      }
      queue.addAll(List.of(type.getInterfaces()));
    }
    return out;
  }

  private static String propertyName(Method method) {
    String name = method.getName();
    if (method.getParameterCount() != 0) {
      return null;
    }
    if (name.startsWith("get") && name.length() > 3) {
      return Introspector.decapitalize(name.substring(3));
    }
    if (name.startsWith("is") && name.length() > 2) {
      return Introspector.decapitalize(name.substring(2));
    }
    return null;
  }

  private static String typeName(Class<?> type) {
    if (type == boolean.class || type == Boolean.class) {
      return "<true|false>";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "<int>";
    }
    if (type == double.class || type == Double.class || type == float.class) {
      return "<number>";
    }
    if (type.isEnum()) {
      StringBuilder values = new StringBuilder("<");
      for (Object constant : type.getEnumConstants()) {
        values.append(values.length() > 1 ? "|" : "").append(constant);
      }
      return values.append(">").toString();
    }
    return "<" + type.getSimpleName().toLowerCase(Locale.ROOT) + ">";
  }

  /** Reads {@code value()} of whichever {@code @Default.*} annotation the getter carries. */
  private static String defaultValue(Method method) {
    for (Annotation annotation : method.getAnnotations()) {
      if (annotation.annotationType().getEnclosingClass() == Default.class) {
        try {
          Method value = annotation.annotationType().getMethod("value");
          Object v = value.invoke(annotation);
          return v instanceof Class<?> c ? c.getSimpleName() : String.valueOf(v);
        } catch (ReflectiveOperationException e) {
          return null;
        }
      }
    }
    return null;
  }
}
