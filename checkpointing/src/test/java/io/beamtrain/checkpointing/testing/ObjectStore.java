package io.beamtrain.checkpointing.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Buckets and their live objects, in memory. Reads are lock-free; each mutation of a bucket holds
 * that bucket's lock while it checks preconditions and swaps the object in, so a precondition and
 * the write it guards are atomic, as on GCS. Only the live generation of an object is kept (a
 * bucket without object versioning).
 */
final class ObjectStore {
  /** GCS's documented limit on an object name, in UTF-8 bytes. */
  static final int MAX_NAME_BYTES = 1024;

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong lastGeneration = new AtomicLong();

  static final class Bucket {
    final String name;
    final Instant created;
    final ConcurrentSkipListMap<String, StoredObject> objects = new ConcurrentSkipListMap<>();

    Bucket(String name, Instant created) {
      this.name = name;
      this.created = created;
    }
  }

  /** One page of a listing. */
  record ListPage(List<StoredObject> items, List<String> prefixes, String nextPageToken) {}

  /** The listing parameters of {@code objects.list}. */
  record ListQuery(
      String prefix,
      String delimiter,
      int maxResults,
      String pageToken,
      String startOffset,
      String endOffset,
      boolean includeTrailingDelimiter) {}

  boolean createBucket(String name) {
    return buckets.putIfAbsent(name, new Bucket(name, Instant.now())) == null;
  }

  Bucket bucket(String name) {
    Bucket b = buckets.get(name);
    if (b == null) {
      throw GcsError.noSuchBucket();
    }
    return b;
  }

  boolean hasBucket(String name) {
    return buckets.containsKey(name);
  }

  /** The live object, checked against {@code generation} when given; 404 otherwise. */
  StoredObject get(String bucket, String name, Long generation) {
    StoredObject o = bucket(bucket).objects.get(name);
    if (o == null || (generation != null && o.generation() != generation)) {
      throw GcsError.noSuchObject(bucket, name);
    }
    return o;
  }

  StoredObject getOrNull(String bucket, String name) {
    return bucket(bucket).objects.get(name);
  }

  /** Creates a new generation of {@code name} if {@code preconditions} hold. */
  StoredObject commit(
      String bucket,
      String name,
      ObjectContent content,
      ObjectAttributes attributes,
      String md5,
      String crc32c,
      Integer componentCount,
      Preconditions preconditions) {
    validateName(name);
    Bucket b = bucket(bucket);
    synchronized (b) {
      StoredObject current = b.objects.get(name);
      preconditions.check(current, false);
      Instant now = Instant.now();
      StoredObject created =
          new StoredObject(
              bucket,
              name,
              nextGeneration(),
              1,
              content,
              attributes,
              md5,
              crc32c,
              now,
              now,
              componentCount);
      b.objects.put(name, created);
      return created;
    }
  }

  /** Replaces the attributes of the live object (PATCH); bumps the metageneration. */
  StoredObject updateAttributes(
      String bucket, String name, Long generation, ObjectAttributes attributes, Preconditions pre) {
    Bucket b = bucket(bucket);
    synchronized (b) {
      StoredObject current = get(bucket, name, generation);
      pre.check(current, false);
      StoredObject updated =
          new StoredObject(
              bucket,
              name,
              current.generation(),
              current.metageneration() + 1,
              current.content(),
              attributes,
              current.md5(),
              current.crc32c(),
              current.created(),
              Instant.now(),
              current.componentCount());
      b.objects.put(name, updated);
      return updated;
    }
  }

  void delete(String bucket, String name, Long generation, Preconditions pre) {
    Bucket b = bucket(bucket);
    synchronized (b) {
      StoredObject current = get(bucket, name, generation);
      pre.check(current, false);
      b.objects.remove(name);
    }
  }

  /**
   * Lists as {@code objects.list} does: lexicographic by name; with a delimiter, names that contain
   * it after the prefix collapse into one prefix entry; items and prefixes together count toward
   * {@code maxResults}; the page token resumes after the last entry returned.
   */
  ListPage list(String bucket, ListQuery q) {
    Bucket b = bucket(bucket);
    String prefix = q.prefix() == null ? "" : q.prefix();
    String delimiter = q.delimiter() == null || q.delimiter().isEmpty() ? null : q.delimiter();
    String resumeAfter = q.pageToken() == null ? null : decodeToken(q.pageToken());

    String from = prefix;
    if (q.startOffset() != null && q.startOffset().compareTo(from) > 0) {
      from = q.startOffset();
    }
    NavigableMap<String, StoredObject> view = b.objects.tailMap(from, true);
    if (resumeAfter != null) {
      view = view.tailMap(resumeAfter, false);
    }

    List<StoredObject> items = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String lastEntry = null;
    boolean more = false;
    for (StoredObject o : view.values()) {
      String name = o.name();
      if (!name.startsWith(prefix)) {
        break;
      }
      if (q.endOffset() != null && name.compareTo(q.endOffset()) >= 0) {
        break;
      }
      // A page that ended on a prefix must not list that prefix's members again.
      if (resumeAfter != null
          && delimiter != null
          && resumeAfter.endsWith(delimiter)
          && name.startsWith(resumeAfter)) {
        continue;
      }
      String entry = name;
      boolean isPrefix = false;
      if (delimiter != null) {
        int at = name.indexOf(delimiter, prefix.length());
        if (at >= 0) {
          entry = name.substring(0, at + delimiter.length());
          isPrefix = true;
        }
      }
      if (isPrefix && entry.equals(lastEntry)) {
        if (q.includeTrailingDelimiter() && name.equals(entry)) {
          items.add(o);
        }
        continue;
      }
      if (items.size() + prefixes.size() >= q.maxResults()) {
        more = true;
        break;
      }
      if (isPrefix) {
        prefixes.add(entry);
        if (q.includeTrailingDelimiter() && name.equals(entry)) {
          items.add(o);
        }
      } else {
        items.add(o);
      }
      lastEntry = entry;
    }
    return new ListPage(items, prefixes, more ? encodeToken(lastEntry) : null);
  }

  List<String> bucketNames() {
    return new ArrayList<>(buckets.keySet());
  }

  /** GCS generations are microsecond timestamps; keep them strictly increasing. */
  long nextGeneration() {
    long now = Instant.now().toEpochMilli() * 1000;
    return lastGeneration.updateAndGet(last -> Math.max(last + 1, now));
  }

  static void validateName(String name) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_NAME_BYTES) {
      throw GcsError.invalid("The object name must be 1-1024 bytes of UTF-8, got " + bytes);
    }
    if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0) {
      throw GcsError.invalid("Object names cannot contain carriage return or line feed.");
    }
    if (name.equals(".") || name.equals("..")) {
      throw GcsError.invalid("Object name cannot be '.' or '..'.");
    }
  }

  private static String encodeToken(String lastEntry) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(lastEntry.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeToken(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw GcsError.invalid("Invalid page token: " + token);
    }
  }
}
