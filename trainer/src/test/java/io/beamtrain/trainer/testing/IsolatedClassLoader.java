package io.beamtrain.trainer.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;

/**
 * A class loader that defines its own copy of the classes of the given classes' jars (or class
 * directories), as a Flink job's child-first class loader does with the job jar: statics and
 * classes are not shared with the test's loader nor with another isolated loader.
 */
public final class IsolatedClassLoader extends URLClassLoader {
  public IsolatedClassLoader(Class<?>... fromCodeSourcesOf) {
    super("isolated", Arrays.stream(fromCodeSourcesOf).map(IsolatedClassLoader::codeSource).toArray(URL[]::new),
        ClassLoader.getPlatformClassLoader());
  }

  private static URL codeSource(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  /** Calls the static (possibly package-private) method {@code name} of this loader's copy of {@code type}. */
  public Object callStatic(Class<?> type, String name, Class<?>[] parameterTypes, Object... args) throws Throwable {
    Method method = loadClass(type.getName()).getDeclaredMethod(name, parameterTypes);
    method.setAccessible(true);
    try {
      return method.invoke(null, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Calls {@code name} on {@code target} (an object of this loader's classes). */
  public static Object call(Object target, String name, Class<?>[] parameterTypes, Object... args) throws Throwable {
    Method method = target.getClass().getDeclaredMethod(name, parameterTypes);
    method.setAccessible(true);
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
