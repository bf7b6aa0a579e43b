package io.beamtrain.pipelines.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP ports a process listens on and the addresses they are bound to, from Linux's {@code
 * /proc}: the socket inodes among {@code /proc/PID/fd}, looked up in {@code /proc/net/tcp} and
 * {@code tcp6}. Cluster tests use it to check that every server they start is bound to 127.0.0.1
 * only, never to all interfaces.
 */
final class ListeningSockets {
  /** 127.0.0.1, as IPv4, as IPv4-mapped IPv6, and ::1, in the kernel's hex notation. */
  private static final Set<String> LOOPBACK = Set.of("0100007F", "0000000000000000FFFF00000100007F",
      "00000000000000000000000001000000");
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** The local {@code address:port} (kernel hex notation) of every TCP socket {@code pid} listens on. */
  static List<String> of(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // The descriptor was closed while we listed them: not a listening socket.
        }
      }
    }
    List<String> listening = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && f[3].equals(LISTEN) && inodes.contains(f[9])) {
            listening.add(f[1]);
          }
        }
      }
    }
    return listening;
  }

  /** Whether a local address from {@link #of} is a loopback one. */
  static boolean isLoopback(String addressAndPort) {
    return LOOPBACK.contains(addressAndPort.substring(0, addressAndPort.indexOf(':')));
  }
}
